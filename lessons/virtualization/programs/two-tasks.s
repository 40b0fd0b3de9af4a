; two-tasks.s - two user programs that print numbered lines with some work in
; between; the timer switches between them, so their lines interleave. Watch the
; process table (proctab) while it runs: each switch saves one task's pc, registers,
; status and MMU register and loads the other's.

.equ NTASKS, 2
.ifndef QUANTUM
.equ QUANTUM, 400                       ; timer period in instructions
.endif
.ifndef LINES
.equ LINES, 5
.endif
.ifndef WORK
.equ WORK, 150                          ; loop iterations between two lines
.endif
.include "kernel.s"

        .org 0x0f00
tasks:  .word a_image, 2
        .word b_image, 2

        .org 0x1000
a_image:
.user A
        li r5, 0                        ; line number
line:
        addi r2, r5, '1'
        st r2, [digit]
        li r1, text
        li r2, text_end - text
        syscall SYS_WRITE
        li r3, 0
        li r4, WORK
work:
        addi r3, r3, 1
        blt r3, r4, work
        addi r5, r5, 1
        li r6, LINES
        blt r5, r6, line
        li r1, 0
        syscall SYS_EXIT
text:   .ascii "task A: line "
digit:  .ascii "0"
        .ascii "\n"
text_end:
.enduser

        .org 0x1200
b_image:
.user B
        li r5, 0
line:
        addi r2, r5, '1'
        st r2, [digit]
        li r1, text
        li r2, text_end - text
        syscall SYS_WRITE
        li r3, 0
        li r4, WORK + 40                ; B works a little longer per line
work:
        addi r3, r3, 1
        blt r3, r4, work
        addi r5, r5, 1
        li r6, LINES
        blt r5, r6, line
        li r1, 0
        syscall SYS_EXIT
text:   .ascii "task B: line "
digit:  .ascii "0"
        .ascii "\n"
text_end:
.enduser
