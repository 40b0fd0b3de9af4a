; pagetable.s - a page-table-heavy guest: two programs repeatedly map eight pool
; frames into their address space, check and bump a counter in each, unmap them and
; yield to each other (an address-space switch each time). Every page-table write and
; every switch is work for a VMM without nested paging.

.equ NTASKS, 2
.ifndef QUANTUM
.equ QUANTUM, 20000
.endif
.ifndef ROUNDS
.equ ROUNDS, 100
.endif
.equ POOL_START, 0x6000                 ; frames the kernel may map for programs
.equ POOL_PAGES, 32
.equ WINDOW, 16                         ; first virtual page of the mapping
.equ NPAGES, 8
.include "kernel.s"

        .org 0x0f00
tasks:  .word a_image, 2
        .word b_image, 2

        .org 0x1000
a_image:
.user A
.equ FRAMES, 0x6000
        li r5, 0                        ; round
round:
        li r1, WINDOW
        li r2, NPAGES
        li r3, FRAMES
        syscall SYS_MAP
        bne r1, r0, failed
        li r6, WINDOW * 256             ; each page still holds the last round's count
        li r4, 0
touch:
        ld r7, [r6]
        bne r7, r5, wrong
        addi r7, r7, 1
        st r7, [r6]
        addi r6, r6, 256
        addi r4, r4, 1
        li r7, NPAGES
        blt r4, r7, touch
        li r1, WINDOW
        li r2, NPAGES
        syscall SYS_UNMAP
        syscall SYS_YIELD
        addi r5, r5, 1
        li r6, ROUNDS
        blt r5, r6, round
        li r1, done
        li r2, done_end - done
        jmp finish
wrong:
        li r1, bad
        li r2, bad_end - bad
        jmp finish
failed:
        li r1, nomap
        li r2, nomap_end - nomap
finish:
        syscall SYS_WRITE
        li r1, 0
        syscall SYS_EXIT
done:   .ascii "task A: all rounds mapped, checked and unmapped\n"
done_end:
bad:    .ascii "task A: a mapped page held the wrong value\n"
bad_end:
nomap:  .ascii "task A: map failed\n"
nomap_end:
.enduser

        .org 0x1200
b_image:
.user B
.equ FRAMES, 0x6800
        li r5, 0
round:
        li r1, WINDOW
        li r2, NPAGES
        li r3, FRAMES
        syscall SYS_MAP
        bne r1, r0, failed
        li r6, WINDOW * 256
        li r4, 0
touch:
        ld r7, [r6]
        bne r7, r5, wrong
        addi r7, r7, 1
        st r7, [r6]
        addi r6, r6, 256
        addi r4, r4, 1
        li r7, NPAGES
        blt r4, r7, touch
        li r1, WINDOW
        li r2, NPAGES
        syscall SYS_UNMAP
        syscall SYS_YIELD
        addi r5, r5, 1
        li r6, ROUNDS
        blt r5, r6, round
        li r1, done
        li r2, done_end - done
        jmp finish
wrong:
        li r1, bad
        li r2, bad_end - bad
        jmp finish
failed:
        li r1, nomap
        li r2, nomap_end - nomap
finish:
        syscall SYS_WRITE
        li r1, 0
        syscall SYS_EXIT
done:   .ascii "task B: all rounds mapped, checked and unmapped\n"
done_end:
bad:    .ascii "task B: a mapped page held the wrong value\n"
bad_end:
nomap:  .ascii "task B: map failed\n"
nomap_end:
.enduser
