; kernel.s - the ProcLab toy kernel (a model, not a real OS).
;
; It runs up to 8 user programs round robin, switched by the timer, each in its own
; address space (one-level page table), and offers a few system calls. It prints
; nothing of its own unless something goes wrong, so that a guest's console shows
; only what its programs write.
;
; A guest file defines, before including this file:
;   NTASKS   number of user programs (1..8)
;   QUANTUM  timer period in instructions
; and after it, at a page-aligned address:
;   tasks:   NTASKS pairs of words: physical address of the program's image, pages to map
; and may define POOL_START / POOL_PAGES: the frames that the map call may hand out.
;
; With PARAVIRT = 1 (paravirt mode) the same source becomes the paravirtualized
; kernel: every privileged instruction is replaced by a hypercall and the trap
; frame is read from memory, so that the kernel never needs to trap.
;
; Memory map (physical word addresses)
;   0x0000 - 0x07ff  kernel code and messages
;   0x0800 - 0x08ff  process table (proctab) and kernel variables
;   0x0900 - 0x090f  paravirtual trap frame: epc, estatus, cause, tval
;   0x0a00 - 0x0dff  page tables, 128 words each (task i at 0x0a00 + 128*i)
;   0x0e00 - 0x0eff  kernel buffer for write
;   0x0f00 - 0x0fff  the guest's task table
;   0x1000 -         user program images

; ---- machine constants -------------------------------------------------------
.equ STATUS_IF, 1
.equ STATUS_KERNEL, 2
.equ CAUSE_SYSCALL, 1
.equ CAUSE_TIMER, 2
.equ PORT_CONSOLE, 1
.equ PORT_NUMBER, 2
.equ PTE_VW, 3                 ; valid + writable
.equ PTBR_ON, 1

; ---- system calls (number in the syscall instruction; arguments r1, r2, r3; result r1)
.equ SYS_WRITE, 1              ; r1 = buffer, r2 = length
.equ SYS_EXIT, 2
.equ SYS_YIELD, 3
.equ SYS_GETPID, 4
.equ SYS_MAP, 5                ; r1 = first page, r2 = count, r3 = first frame (physical)
.equ SYS_UNMAP, 6              ; r1 = first page, r2 = count
.equ SYS_PUTNUM, 7             ; print r1 in decimal

; ---- hypercalls of the paravirtual interface
.equ HC_CONSOLE_WRITE, 1
.equ HC_OUT, 2
.equ HC_IRET, 3
.equ HC_SET_PT, 4
.equ HC_MMU_UPDATE, 5
.equ HC_SET_TIMER, 6
.equ HC_SET_TRAP, 7
.equ HC_SET_IF, 8
.equ HC_HALT, 9

; ---- process table layout (16 words per entry)
.equ P_STATE, 0                ; 0 free, 1 ready, 2 running, 3 exited
.equ P_PC, 1
.equ P_R1, 2
.equ P_R2, 3
.equ P_R3, 4
.equ P_R4, 5
.equ P_R5, 6
.equ P_R6, 7
.equ P_R7, 8
.equ P_STATUS, 9               ; saved mode and interrupt flag
.equ P_PTBR, 10                ; saved MMU register
.equ P_ID, 11
.equ ST_READY, 1
.equ ST_RUNNING, 2
.equ ST_EXITED, 3

.equ PV_FRAME, 0x0900
.equ PT_AREA, 0x0a00
.equ KBUF, 0x0e00
.equ KBUF_WORDS, 256

.ifndef POOL_START
.equ POOL_START, 0
.equ POOL_PAGES, 0
.endif

; =============================================================================
        .org 0
reset:
        jmp boot

boot:
        li r1, trap_entry
.if PARAVIRT
        li r2, PV_FRAME
        hcall HC_SET_TRAP
.else
        mtsr vector, r1
        ; A kernel expects to run in kernel mode: check, and say so if not.
        smsw r1
        li r2, STATUS_KERNEL
        and r1, r1, r2
        bne r1, r0, boot_mode_ok
        li r1, msg_mode
        jal r6, kputs
boot_mode_ok:
.endif
        ; one page table and one process-table entry per task
        li r1, NTASKS
        st r1, [proc_count]
        li r1, 0                        ; r1 = task index
boot_task:
        li r2, NTASKS
        beq r1, r2, boot_done
        li r2, 7
        shl r2, r1, r2
        addi r2, r2, PT_AREA            ; r2 = this task's page table
        add r3, r1, r1
        ld r4, [r3 + tasks]             ; r4 = image address
        ld r5, [r3 + tasks + 1]         ; r5 = pages to map
        li r3, 0                        ; r3 = virtual page
boot_pte:
        li r6, 128
        beq r3, r6, boot_entry
        mov r6, r0
        blt r3, r5, boot_pte_map
        jmp boot_pte_store
boot_pte_map:
        li r7, 8
        shl r6, r3, r7
        add r6, r6, r4
        addi r6, r6, PTE_VW
boot_pte_store:
        add r7, r2, r3
        st r6, [r7]
        addi r3, r3, 1
        jmp boot_pte
boot_entry:
        li r3, 4
        shl r3, r1, r3
        addi r3, r3, proc_entries       ; r3 = this task's entry
        li r4, ST_READY
        st r4, [r3 + P_STATE]
        st r0, [r3 + P_PC]
        st r0, [r3 + P_R1]
        st r0, [r3 + P_R2]
        st r0, [r3 + P_R3]
        st r0, [r3 + P_R4]
        st r0, [r3 + P_R5]
        st r0, [r3 + P_R6]
        st r0, [r3 + P_R7]
        li r4, STATUS_IF                ; user mode, interrupts on
        st r4, [r3 + P_STATUS]
        addi r4, r2, PTBR_ON
        st r4, [r3 + P_PTBR]
        addi r4, r1, 1
        st r4, [r3 + P_ID]
        addi r1, r1, 1
        jmp boot_task
boot_done:
        li r1, -1
        st r1, [cur_index]
        st r0, [curp]
        li r1, QUANTUM
.if PARAVIRT
        hcall HC_SET_TIMER
        li r1, 1
        hcall HC_SET_IF
.else
        mtsr timer, r1
        ; Enable interrupts with POPF, as an x86 kernel restores its flags. On the popf
        ; ISA a deprivileged kernel's POPF is silently ignored: no tick ever arrives.
        li r1, STATUS_IF
        popf r1
.endif
idle:
        jmp idle                        ; wait for the first tick

; =============================================================================
; Every trap and interrupt arrives here with interrupts off.
trap_entry:
        st r1, [ksave1]
        ld r1, [curp]
        beq r1, r0, trap_nosave         ; from the idle loop: nothing to save
        st r2, [r1 + P_R2]
        st r3, [r1 + P_R3]
        st r4, [r1 + P_R4]
        st r5, [r1 + P_R5]
        st r6, [r1 + P_R6]
        st r7, [r1 + P_R7]
        ld r2, [ksave1]
        st r2, [r1 + P_R1]
.if PARAVIRT
        ld r2, [PV_FRAME + 0]
        st r2, [r1 + P_PC]
        ld r2, [PV_FRAME + 1]
        st r2, [r1 + P_STATUS]
.else
        mfsr r2, epc
        st r2, [r1 + P_PC]
        mfsr r2, estatus
        st r2, [r1 + P_STATUS]
.endif
trap_nosave:
.if PARAVIRT
        ld r2, [PV_FRAME + 2]
        ld r3, [PV_FRAME + 3]
.else
        mfsr r2, cause
        mfsr r3, tval
.endif
        li r4, CAUSE_TIMER
        beq r2, r4, on_timer
        li r4, CAUSE_SYSCALL
        beq r2, r4, on_syscall
        jmp on_fault

on_timer:
        ld r2, [ticks]
        addi r2, r2, 1
        st r2, [ticks]
        jmp schedule

; r1 = entry of the caller, r3 = call number
on_syscall:
        li r4, SYS_WRITE
        beq r3, r4, sys_write
        li r4, SYS_EXIT
        beq r3, r4, sys_exit
        li r4, SYS_YIELD
        beq r3, r4, schedule
        li r4, SYS_GETPID
        beq r3, r4, sys_getpid
        li r4, SYS_MAP
        beq r3, r4, sys_map
        li r4, SYS_UNMAP
        beq r3, r4, sys_unmap
        li r4, SYS_PUTNUM
        beq r3, r4, sys_putnum
return_fail:
        ld r1, [curp]
        li r2, -1
        st r2, [r1 + P_R1]
        jmp resume

return_zero:
        ld r1, [curp]
        st r0, [r1 + P_R1]
        jmp resume

sys_exit:
        li r2, ST_EXITED
        st r2, [r1 + P_STATE]
        jmp schedule

sys_getpid:
        ld r2, [r1 + P_ID]
        st r2, [r1 + P_R1]
        jmp resume

sys_putnum:
        ld r2, [r1 + P_R1]
.if PARAVIRT
        li r1, PORT_NUMBER
        hcall HC_OUT
.else
        out r2, PORT_NUMBER
.endif
        jmp resume

; write(buffer, length): copy from the caller's address space into KBUF, walking
; its page table by hand (the kernel runs on physical addresses), then print.
sys_write:
        ld r2, [r1 + P_R1]              ; r2 = virtual address
        ld r3, [r1 + P_R2]              ; r3 = length
        ld r4, [r1 + P_PTBR]
        li r5, 0x7f80
        and r4, r4, r5                  ; r4 = page table
        blt r3, r0, return_fail
        li r5, KBUF_WORDS + 1
        blt r3, r5, write_len_ok
        li r3, KBUF_WORDS
write_len_ok:
        add r3, r3, r2                  ; r3 = end address
        li r1, KBUF                     ; r1 = destination
write_copy:
        beq r2, r3, write_copied
        li r5, 8
        shr r5, r2, r5                  ; virtual page
        li r6, 128
        blt r5, r6, write_page_ok
        jmp return_fail
write_page_ok:
        add r5, r5, r4
        ld r5, [r5]                     ; page-table entry
        li r6, 1
        and r6, r5, r6
        beq r6, r0, return_fail         ; not mapped
        li r6, 0x7f00
        and r5, r5, r6                  ; frame
        li r6, 0xff
        and r6, r2, r6                  ; offset
        or r5, r5, r6
        ld r5, [r5]
        st r5, [r1]
        addi r1, r1, 1
        addi r2, r2, 1
        jmp write_copy
write_copied:
        li r2, KBUF
        sub r2, r1, r2                  ; r2 = words copied
        st r2, [write_count]
.if PARAVIRT
        li r1, KBUF
        hcall HC_CONSOLE_WRITE          ; the whole buffer in one hypercall
.else
        li r3, KBUF
write_out:
        beq r3, r1, write_done
        ld r4, [r3]
        out r4, PORT_CONSOLE
        addi r3, r3, 1
        jmp write_out
write_done:
.endif
        ld r1, [curp]
        ld r2, [write_count]
        st r2, [r1 + P_R1]
        jmp resume

; map(first page, count, first frame): page-table entries of the caller, one write each.
sys_map:
        ld r2, [r1 + P_R1]              ; r2 = first page
        ld r3, [r1 + P_R2]              ; r3 = count
        ld r4, [r1 + P_R3]              ; r4 = first frame
        ld r5, [r1 + P_PTBR]
        jal r7, check_range
        ; frames must lie in the pool: POOL_START <= frame, frame + count*256 <= pool end
        li r6, POOL_START
        blt r4, r6, return_fail
        li r6, 0xff
        and r6, r4, r6
        bne r6, r0, return_fail         ; not page-aligned
        li r6, 8
        shr r6, r4, r6                  ; first frame number
        add r6, r6, r3
        li r7, POOL_START >> 8
        addi r7, r7, POOL_PAGES
        addi r7, r7, 1
        blt r6, r7, map_pool_ok         ; last frame number + 1 <= pool end
        jmp return_fail
map_pool_ok:
        add r1, r5, r2                  ; r1 = first entry
        addi r2, r4, PTE_VW             ; r2 = first entry's value
        jmp pte_loop

; unmap(first page, count)
sys_unmap:
        ld r2, [r1 + P_R1]
        ld r3, [r1 + P_R2]
        ld r5, [r1 + P_PTBR]
        jal r7, check_range
        add r1, r5, r2
        li r2, 0
        li r4, 0                        ; no step: every entry becomes 0
        jmp pte_loop_nostep

; r1 = entry address, r2 = value, r3 = count; the value steps by one page
pte_loop:
        li r4, 256
pte_loop_nostep:
        beq r3, r0, return_zero
.if PARAVIRT
        hcall HC_MMU_UPDATE             ; r1 = entry, r2 = value
.else
        st r2, [r1]                     ; under a software VMM this store is watched
.endif
        addi r1, r1, 1
        add r2, r2, r4
        addi r3, r3, -1
        jmp pte_loop_nostep

; r2 = first page, r3 = count, r5 = MMU register: leaves r5 = page table; returns via r7
check_range:
        li r6, 0x7f80
        and r5, r5, r6
        blt r2, r0, return_fail
        blt r3, r0, return_fail
        add r6, r2, r3
        li r4, 129
        blt r6, r4, check_ok
        jmp return_fail
check_ok:
        ld r4, [r1 + P_R3]
        jr r7

on_fault:
        ld r1, [curp]
        beq r1, r0, panic
        li r2, ST_EXITED
        st r2, [r1 + P_STATE]
        li r1, msg_killed
        jal r6, kputs
        jmp schedule

panic:
        li r1, msg_panic
        jal r6, kputs
.if PARAVIRT
        hcall HC_HALT
.else
        halt
.endif

; =============================================================================
; Round robin: the next ready task after the current one.
schedule:
        ld r1, [curp]
        beq r1, r0, sched_pick
        ld r2, [r1 + P_STATE]
        li r3, ST_RUNNING
        bne r2, r3, sched_pick
        li r2, ST_READY
        st r2, [r1 + P_STATE]
sched_pick:
        ld r2, [cur_index]
        li r4, 0
sched_loop:
        li r5, NTASKS
        beq r4, r5, sched_none
        addi r2, r2, 1
        blt r2, r5, sched_nowrap
        li r2, 0
sched_nowrap:
        li r3, 4
        shl r3, r2, r3
        addi r3, r3, proc_entries
        ld r6, [r3 + P_STATE]
        li r7, ST_READY
        beq r6, r7, sched_found
        addi r4, r4, 1
        jmp sched_loop
sched_none:
.if PARAVIRT
        hcall HC_HALT
.else
        halt                            ; every task has exited
.endif
sched_found:
        li r6, ST_RUNNING
        st r6, [r3 + P_STATE]
        ld r6, [curp]
        beq r6, r3, resume              ; the same task again: no switch
        st r2, [cur_index]
        st r3, [curp]
        ld r6, [switches]
        addi r6, r6, 1
        st r6, [switches]
        ld r1, [r3 + P_PTBR]
.if PARAVIRT
        hcall HC_SET_PT
.else
        setpt r1                        ; switch address space
.endif

; Back to the current task: restore its context and return from the trap.
resume:
        ld r1, [curp]
        ld r2, [r1 + P_PC]
.if PARAVIRT
        st r2, [PV_FRAME + 0]
        ld r2, [r1 + P_STATUS]
        st r2, [PV_FRAME + 1]
.else
        mtsr epc, r2
        ld r2, [r1 + P_STATUS]
        mtsr estatus, r2
.endif
        ld r2, [r1 + P_R2]
        ld r3, [r1 + P_R3]
        ld r4, [r1 + P_R4]
        ld r5, [r1 + P_R5]
        ld r6, [r1 + P_R6]
        ld r7, [r1 + P_R7]
        ld r1, [r1 + P_R1]
.if PARAVIRT
        hcall HC_IRET
.else
        iret
.endif

; kputs: print the zero-terminated string at r1; returns via r6; uses r1..r3
kputs:
.if PARAVIRT
        mov r3, r1
kputs_len:
        ld r2, [r3]
        beq r2, r0, kputs_go
        addi r3, r3, 1
        jmp kputs_len
kputs_go:
        sub r2, r3, r1
        hcall HC_CONSOLE_WRITE
        jr r6
.else
        ld r2, [r1]
        beq r2, r0, kputs_done
        out r2, PORT_CONSOLE
        addi r1, r1, 1
        jmp kputs
kputs_done:
        jr r6
.endif

msg_mode:   .string "kernel: warning: not running in kernel mode\n"
msg_killed: .string "kernel: a task faulted and was stopped\n"
msg_panic:  .string "kernel: fault with no task running\n"

; =============================================================================
        .org 0x0800
proctab:
cur_index:  .word -1                    ; +0 index of the running task, -1 = idle
proc_count: .word 0                     ; +1 number of tasks
ticks:      .word 0                     ; +2 timer interrupts taken
switches:   .word 0                     ; +3 address-space switches
curp:       .word 0                     ; +4 entry of the running task, 0 = idle
            .space 11
proc_entries:
            .space 16 * 8               ; +16 entries, 16 words each
ksave1:     .word 0
write_count: .word 0
