; syscalls.s - a system-call-heavy guest: one program calls getpid thousands of
; times. Under hardware assistance a system call stays inside the guest; under
; trap-and-emulate and binary translation each one goes through the VMM.

.equ NTASKS, 1
.ifndef QUANTUM
.equ QUANTUM, 5000
.endif
.ifndef CALLS
.equ CALLS, 2000
.endif
.include "kernel.s"

        .org 0x0f00
tasks:  .word s_image, 2

        .org 0x1000
s_image:
.user S
        li r5, 0                        ; calls made
        li r4, 0                        ; sum of the results
loop:
        syscall SYS_GETPID
        add r4, r4, r1
        addi r5, r5, 1
        li r6, CALLS
        blt r5, r6, loop
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
msg:    .ascii "sum of the getpid results: "
msg_end:
newline: .ascii "\n"
.enduser
