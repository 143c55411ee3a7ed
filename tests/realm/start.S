/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The realm test payload's entry, exception vectors and one-instruction
 * primitives.
 *
 * Every primitive puts the instruction under test first, so that a fault
 * reports the primitive's own address as ELR, and the handler's "resume
 * after the faulting instruction" lands on its ret.
 */

#define STACK_SIZE      16384
#define FRAME_SIZE      (34 * 8)    /* x0..x30, elr, spsr, pad */

    .section .head, "ax"
    .globl _head
_head:
    /* arm64 Image header (Linux boot protocol): QEMU loads it as a kernel */
    b       primary_entry           /* code0 */
    .word   0                       /* code1 */
    .quad   0                       /* text_offset */
    .quad   _bss_end - _head        /* image_size */
    .quad   0x2                     /* flags: 4K pages, LE */
    .quad   0, 0, 0                 /* res2..res4 */
    .ascii  "ARM\x64"               /* magic */
    .word   0                       /* res5 */

    .text
    .globl primary_entry
primary_entry:
    mov     x19, x0                 /* DTB */
    msr     daifset, #0xf
    mov     x0, #0
    bl      cpu_setup
    /* Clear .bss once, on the boot CPU. */
    ldr     x1, =_bss_start
    ldr     x2, =_bss_end
    /* ... except this CPU's stack, which cpu_setup just started using */
1:  cmp     x1, x2
    b.hs    2f
    stp     xzr, xzr, [x1], #16
    b       1b
2:  mov     x0, x19
    bl      payload_main
3:  wfi
    b       3b

/* PSCI CPU_ON's entry point: x0 = context id = CPU number. */
    .globl secondary_entry
secondary_entry:
    msr     daifset, #0xf
    mov     x19, x0
    bl      cpu_setup
    mov     x0, x19
    bl      secondary_main
1:  wfi
    b       1b

/* x0 = CPU number: its stack, vectors and tpidr_el1.  Keeps x19. */
cpu_setup:
    msr     tpidr_el1, x0
    ldr     x1, =stacks
    add     x0, x0, #1
    mov     x2, #STACK_SIZE
    madd    x1, x0, x2, x1
    mov     sp, x1
    ldr     x1, =vectors
    msr     vbar_el1, x1
    /* FP/SIMD on at EL0/EL1; everything else as reset left it. */
    mov     x1, #(3 << 20)
    msr     cpacr_el1, x1
    isb
    ret

    .bss
    .balign 16
    .globl stacks
stacks:
    .skip   STACK_SIZE * 5
    .globl el0_stacks
el0_stacks:
    .skip   4096 * 5
    .text

/* Exception vectors: save a frame, call exc_handler(frame, kind). */
.macro vector kind
    .balign 0x80
    sub     sp, sp, #FRAME_SIZE
    stp     x0, x1, [sp, #0]
    mov     x1, #\kind
    b       exc_common
.endm

    .balign 0x800
vectors:
    vector 0        /* current EL, SP_EL0: sync */
    vector 2
    vector 2
    vector 2
    vector 0        /* current EL, SP_ELx: sync */
    vector 5        /* irq: the el2 mode's interrupts */
    vector 2        /* fiq */
    vector 3        /* serror */
    vector 1        /* lower EL, AArch64: sync */
    vector 2
    vector 2
    vector 3
    vector 4        /* lower EL, AArch32: never used */
    vector 4
    vector 4
    vector 4

exc_common:
    stp     x2, x3, [sp, #16]
    stp     x4, x5, [sp, #32]
    stp     x6, x7, [sp, #48]
    stp     x8, x9, [sp, #64]
    stp     x10, x11, [sp, #80]
    stp     x12, x13, [sp, #96]
    stp     x14, x15, [sp, #112]
    stp     x16, x17, [sp, #128]
    stp     x18, x19, [sp, #144]
    stp     x20, x21, [sp, #160]
    stp     x22, x23, [sp, #176]
    stp     x24, x25, [sp, #192]
    stp     x26, x27, [sp, #208]
    stp     x28, x29, [sp, #224]
    mrs     x2, elr_el1
    mrs     x3, spsr_el1
    stp     x30, x2, [sp, #240]
    str     x3, [sp, #256]
    /* x1 = kind; the vector saved the frame's x0 and x1 */
    mov     x0, sp
    bl      exc_handler
    cbnz    x0, el0_exit
    ldr     x2, [sp, #248]
    ldr     x3, [sp, #256]
    msr     elr_el1, x2
    msr     spsr_el1, x3
    ldp     x0, x1, [sp, #0]
    ldp     x2, x3, [sp, #16]
    ldp     x4, x5, [sp, #32]
    ldp     x6, x7, [sp, #48]
    ldp     x8, x9, [sp, #64]
    ldp     x10, x11, [sp, #80]
    ldp     x12, x13, [sp, #96]
    ldp     x14, x15, [sp, #112]
    ldp     x16, x17, [sp, #128]
    ldp     x18, x19, [sp, #144]
    ldp     x20, x21, [sp, #160]
    ldp     x22, x23, [sp, #176]
    ldp     x24, x25, [sp, #192]
    ldp     x26, x27, [sp, #208]
    ldp     x28, x29, [sp, #224]
    ldr     x30, [sp, #240]
    add     sp, sp, #FRAME_SIZE
    eret

/* \reg = this vCPU's 128-byte slot of el0_ctx (clobbers x9) */
.macro el0_ctx_addr reg
    mrs     x9, tpidr_el1
    ldr     \reg, =el0_ctx
    add     \reg, \reg, x9, lsl #7
.endm

/*
 * run_el0(fn, arg): run fn(arg) at EL0 until it issues SVC (every EL0
 * stub ends with one); returns at EL1.  The EL1 context is kept in the
 * buffer at el0_ctx(tpidr_el1).
 */
    .globl run_el0
run_el0:
    el0_ctx_addr x10
    stp     x19, x20, [x10, #0]
    stp     x21, x22, [x10, #16]
    stp     x23, x24, [x10, #32]
    stp     x25, x26, [x10, #48]
    stp     x27, x28, [x10, #64]
    stp     x29, x30, [x10, #80]
    mov     x11, sp
    str     x11, [x10, #96]
    /* EL0 stack */
    mrs     x9, tpidr_el1
    add     x9, x9, #1
    ldr     x11, =el0_stacks
    add     x11, x11, x9, lsl #12
    msr     sp_el0, x11
    msr     elr_el1, x0
    mov     x9, #0x3c0              /* EL0t, DAIF masked */
    msr     spsr_el1, x9
    mov     x0, x1
    isb
    eret

el0_exit:
    el0_ctx_addr x10
    ldp     x19, x20, [x10, #0]
    ldp     x21, x22, [x10, #16]
    ldp     x23, x24, [x10, #32]
    ldp     x25, x26, [x10, #48]
    ldp     x27, x28, [x10, #64]
    ldp     x29, x30, [x10, #80]
    ldr     x11, [x10, #96]
    mov     sp, x11
    ret

    .bss
    .balign 16
el0_ctx:
    .skip   128 * 5
    .text

/* EL0 stubs: one instruction, then back to EL1. */
    .globl el0_smc, el0_hvc, el0_load
el0_smc:
    smc     #0
    svc     #0
el0_hvc:
    hvc     #0
    svc     #0
el0_load:
    ldr     x1, [x0]
    svc     #0

/*
 * conduit_call(regs[11]): x0..x10 from regs, SMC or HVC, x0..x10 back.
 */
.macro conduit name, insn
    .globl \name
\name:
    stp     x19, x30, [sp, #-16]!
    mov     x19, x0
    ldp     x0, x1, [x19, #0]
    ldp     x2, x3, [x19, #16]
    ldp     x4, x5, [x19, #32]
    ldp     x6, x7, [x19, #48]
    ldp     x8, x9, [x19, #64]
    ldr     x10, [x19, #80]
    \insn
    stp     x0, x1, [x19, #0]
    stp     x2, x3, [x19, #16]
    stp     x4, x5, [x19, #32]
    stp     x6, x7, [x19, #48]
    stp     x8, x9, [x19, #64]
    str     x10, [x19, #80]
    ldp     x19, x30, [sp], #16
    ret
.endm
    conduit smc_call, "smc #0"

/* hvc_at_el1(): the HVC is the first instruction. */
    .globl hvc_at_el1
hvc_at_el1:
    hvc     #0
    ret

/* Memory primitives: x0 = address, x1/x2 = values. */
    .globl p_ldrb
    .balign 8
p_ldrb:
    ldrb w0, [x0]
    ret
    .globl p_ldrh
    .balign 8
p_ldrh:
    ldrh w0, [x0]
    ret
    .globl p_ldrw
    .balign 8
p_ldrw:
    ldr w0, [x0]
    ret
    .globl p_ldrx
    .balign 8
p_ldrx:
    ldr x0, [x0]
    ret
    .globl p_ldp
    .balign 8
p_ldp:
    ldp x0, x1, [x0]
    ret
    .globl p_ldxr
    .balign 8
p_ldxr:
    ldxr x0, [x0]
    ret
    .globl p_ldar
    .balign 8
p_ldar:
    ldar x0, [x0]
    ret
    .globl p_strb
    .balign 8
p_strb:
    strb w1, [x0]
    ret
    .globl p_strh
    .balign 8
p_strh:
    strh w1, [x0]
    ret
    .globl p_strw
    .balign 8
p_strw:
    str w1, [x0]
    ret
    .globl p_strx
    .balign 8
p_strx:
    str x1, [x0]
    ret
    .globl p_stp
    .balign 8
p_stp:
    stp x1, x2, [x0]
    ret
    .globl p_stxr
    .balign 8
p_stxr:
    stxr w2, x1, [x0]
    ret
    .globl p_stlr
    .balign 8
p_stlr:
    stlr x1, [x0]
    ret
    .globl p_ldadd
    .balign 8
p_ldadd:
    ldadd x1, x2, [x0]
    ret
    .globl p_swp
    .balign 8
p_swp:
    swp x1, x2, [x0]
    ret
    .globl p_cas
    .balign 8
p_cas:
    cas x1, x2, [x0]
    ret
    .globl p_dczva
    .balign 8
p_dczva:
    dc zva, x0
    ret

/*
 * The el2 mode's MMIO primitives: every load form whose syndrome tells
 * the monitor how to extend the value (SSE, SF), a destination other
 * than x0 and the zero register (SRT), and the forms that have no
 * syndrome at all (writeback).  They return x0, so that a writeback that
 * did happen would show.
 */
    .globl p_ldrsbx
    .balign 8
p_ldrsbx:
    ldrsb x0, [x0]
    ret
    .globl p_ldrsbw
    .balign 8
p_ldrsbw:
    ldrsb w0, [x0]
    ret
    .globl p_ldrshx
    .balign 8
p_ldrshx:
    ldrsh x0, [x0]
    ret
    .globl p_ldrshw
    .balign 8
p_ldrshw:
    ldrsh w0, [x0]
    ret
    .globl p_ldrsw
    .balign 8
p_ldrsw:
    ldrsw x0, [x0]
    ret
    .globl p_ldrsh_x17
    .balign 8
p_ldrsh_x17:
    ldrsh x17, [x0]
    mov x0, x17
    ret
    .globl p_ldr_wzr
    .balign 8
p_ldr_wzr:
    ldr wzr, [x0]
    ret
    .globl p_ldr_post
    .balign 8
p_ldr_post:
    ldr x1, [x0], #8
    ret
    .globl p_str_post
    .balign 8
p_str_post:
    str x1, [x0], #8
    ret

/* p_exec(addr): branch there; an instruction abort returns to our ret. */
    .globl p_exec
p_exec:
    stp     x29, x30, [sp, #-16]!
    blr     x0
    ldp     x29, x30, [sp], #16
    ret

/* ID registers and the instructions the realm may not have. */
.macro mrs_fn name, reg
    .globl \name
\name:
    mrs     x0, \reg
    ret
.endm
    mrs_fn read_id_aa64pfr0, id_aa64pfr0_el1
    mrs_fn read_id_aa64pfr1, id_aa64pfr1_el1
    mrs_fn read_id_aa64dfr0, id_aa64dfr0_el1
    mrs_fn read_id_aa64mmfr1, id_aa64mmfr1_el1
    mrs_fn read_id_aa64zfr0, s3_0_c0_c4_4
    mrs_fn read_id_aa64smfr0, s3_0_c0_c4_5
    mrs_fn read_mpidr, mpidr_el1
    mrs_fn read_cntvct, cntvct_el0
    mrs_fn read_cntfrq, cntfrq_el0
    /* PMCR_EL0: UNDEFINED without a PMU */
    mrs_fn read_pmcr, s3_3_c9_c12_0

    .globl sve_rdvl
sve_rdvl:
    .inst   0x04bf5020              /* rdvl x0, #1 */
    ret

/* MMU on/off for the page-table walk case. */
    .globl mmu_enable
mmu_enable:                         /* x0 = ttbr0, x1 = tcr, x2 = mair */
    msr     mair_el1, x2
    msr     tcr_el1, x1
    msr     ttbr0_el1, x0
    isb
    tlbi    vmalle1
    dsb     nsh
    isb
    mrs     x0, sctlr_el1
    orr     x0, x0, #1              /* M */
    msr     sctlr_el1, x0
    isb
    ret

    .globl mmu_disable
mmu_disable:
    mrs     x0, sctlr_el1
    bic     x0, x0, #1
    msr     sctlr_el1, x0
    isb
    tlbi    vmalle1
    dsb     nsh
    isb
    ret

    .globl tlb_flush_local
tlb_flush_local:
    dsb     ishst
    tlbi    vmalle1
    dsb     nsh
    isb
    ret

/* spin_with_secret(secret): secret + 0..9 in x19..x28, and d0, forever. */
    .globl spin_with_secret
spin_with_secret:
    mov     x19, x0
    add     x20, x0, #1
    add     x21, x0, #2
    add     x22, x0, #3
    add     x23, x0, #4
    add     x24, x0, #5
    add     x25, x0, #6
    add     x26, x0, #7
    add     x27, x0, #8
    add     x28, x0, #9
    fmov    d0, x0
1:  add     x1, x1, #1
    b       1b
