; hello.s - one user program that greets three times and exits.
; With a single program, the process VM (mode=process-vm) can run it alone too.

.equ NTASKS, 1
.ifndef QUANTUM
.equ QUANTUM, 500
.endif
.include "kernel.s"

        .org 0x0f00
tasks:  .word hello_image, 2            ; image, pages to map

        .org 0x1000
hello_image:
.user hello
        li r5, 0
again:
        li r1, greeting
        li r2, greeting_end - greeting
        syscall SYS_WRITE
        addi r5, r5, 1
        li r6, 3
        blt r5, r6, again
        li r1, 0
        syscall SYS_EXIT
greeting:
        .ascii "Hello from a guest program!\n"
greeting_end:
.enduser
