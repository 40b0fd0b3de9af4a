; compute.s - a compute-bound guest: one program fills an array and sums it many
; times; the kernel only takes the occasional timer tick. Every way of running it
; should cost about the same here.

.equ NTASKS, 1
.ifndef QUANTUM
.equ QUANTUM, 10000
.endif
.ifndef PASSES
.equ PASSES, 4000
.endif
.equ N, 256
.include "kernel.s"

        .org 0x0f00
tasks:  .word c_image, 2

        .org 0x1000
c_image:
.user C
        li r1, 0
        li r2, N
fill:
        mul r3, r1, r1
        st r3, [r1 + array]
        addi r1, r1, 1
        blt r1, r2, fill
        li r5, 0                        ; pass
        li r4, 0                        ; checksum
pass:
        li r1, 0
sum:
        ld r3, [r1 + array]
        add r4, r4, r3
        addi r1, r1, 1
        blt r1, r2, sum
        xor r4, r4, r5
        addi r5, r5, 1
        li r6, PASSES
        blt r5, r6, pass
        li r1, msg
        li r2, msg_end - msg
        syscall SYS_WRITE
        mov r1, r4
        syscall SYS_PUTNUM
        li r1, newline
        li r2, 1
        syscall SYS_WRITE
        li r1, 0
        syscall SYS_EXIT
msg:    .ascii "checksum: "
msg_end:
newline: .ascii "\n"
array:  .space N
.enduser
