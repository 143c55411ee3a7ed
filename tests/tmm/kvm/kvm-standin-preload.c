/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Kernel stand-in for a whole QEMU process: the real thing needs CCA
 * hardware.
 *
 * An LD_PRELOAD library, cross-built for aarch64, that lets the aarch64
 * qemu-system-aarch64 (run under qemu-user) open a "/dev/kvm" that is the
 * kernel stand-in (kvm-standin.c) instead of a kernel.  It interposes the
 * C library's open, close, ioctl, mmap and munmap: opening /dev/kvm and
 * every VM, vCPU and guest_memfd file the stand-in creates gives a real
 * file descriptor (a memfd, so that poll, fcntl and fallocate behave), and
 * ioctls on those descriptors go to the stand-in.  Everything else passes
 * through to the C library.
 *
 * Environment:
 *   VIRTCCA_KVM_STANDIN=openeuler | upstream-12 | upstream-13 |
 *                       upstream-14 | mainline     which kernel to stand in
 *   VIRTCCA_KVM_STANDIN_REPORT=<file>   at exit, what the stand-in's
 *                       monitor saw: the realm's RIM, DATA granules, the
 *                       first REC's entry state (JSON)
 *   VIRTCCA_KVM_STANDIN_TRACE=1         every ioctl and its answer, on
 *                       stderr
 * Without VIRTCCA_KVM_STANDIN the library does nothing.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/select.h>
#include <unistd.h>

#include "kvm-standin.h"
#include "kvm-abi.h"

#define MAX_REAL_FD     4096

typedef struct Preload {
    pthread_mutex_t lock;
    bool active;
    KvmStandin *standin;
    KvmStandinApi api;
    bool trace;
    const char *report;
    int standin_fd[MAX_REAL_FD];    /* real fd -> stand-in fd, 0: none */
} Preload;

static Preload preload = { .lock = PTHREAD_MUTEX_INITIALIZER };

static int (*libc_openat)(int, const char *, int, ...);
static int (*libc_close)(int);
static int (*libc_ioctl)(int, unsigned long, ...);
static void *(*libc_mmap)(void *, size_t, int, int, int, off_t);
static int (*libc_munmap)(void *, size_t);

static void write_report(void);

static bool parse_api(const char *s, KvmStandinConfig *cfg)
{
    static const int revisions[] = { 12, 13, 14 };
    size_t i;

    if (!strcmp(s, "openeuler")) {
        cfg->api = KVM_STANDIN_OPENEULER;
        return true;
    }
    if (!strcmp(s, "mainline")) {
        cfg->api = KVM_STANDIN_MAINLINE;
        return true;
    }
    for (i = 0; i < sizeof(revisions) / sizeof(revisions[0]); i++) {
        char name[32];

        snprintf(name, sizeof(name), "upstream-%d", revisions[i]);
        if (!strcmp(s, name)) {
            cfg->api = KVM_STANDIN_UPSTREAM;
            cfg->upstream_revision = revisions[i];
            return true;
        }
    }
    return false;
}

__attribute__((constructor))
static void preload_init(void)
{
    const char *api = getenv("VIRTCCA_KVM_STANDIN");
    KvmStandinConfig cfg = { 0 };

    libc_openat = dlsym(RTLD_NEXT, "openat");
    libc_close = dlsym(RTLD_NEXT, "close");
    libc_ioctl = dlsym(RTLD_NEXT, "ioctl");
    libc_mmap = dlsym(RTLD_NEXT, "mmap");
    libc_munmap = dlsym(RTLD_NEXT, "munmap");
    if (!api || !*api) {
        return;
    }
    if (!parse_api(api, &cfg)) {
        fprintf(stderr, "kvm-standin-preload: VIRTCCA_KVM_STANDIN=%s: "
                "not openeuler, upstream-12, upstream-13, upstream-14 or "
                "mainline\n", api);
        exit(1);
    }
    /* The realm capability's number in the upstream revisions. */
    cfg.rmi_cap = 248;
    cfg.boot_guest = true;
    preload.standin = kvm_standin_new(&cfg);
    if (!preload.standin) {
        fprintf(stderr, "kvm-standin-preload: out of memory\n");
        exit(1);
    }
    preload.api = cfg.api;
    preload.trace = getenv("VIRTCCA_KVM_STANDIN_TRACE") != NULL;
    preload.report = getenv("VIRTCCA_KVM_STANDIN_REPORT");
    preload.active = true;
    if (preload.report) {
        atexit(write_report);
    }
}

static int standin_of(int fd)
{
    return fd >= 0 && fd < MAX_REAL_FD ? preload.standin_fd[fd] : 0;
}

/* A real descriptor standing for stand-in object @sfd. */
static int attach(int sfd, const char *what)
{
    int fd = memfd_create(what, MFD_CLOEXEC);

    if (fd < 0) {
        return -errno;
    }
    if (fd >= MAX_REAL_FD) {
        libc_close(fd);
        return -EMFILE;
    }
    preload.standin_fd[fd] = sfd;
    return fd;
}

static int open_kvm(void)
{
    int sfd, fd;

    pthread_mutex_lock(&preload.lock);
    sfd = kvm_standin_open(preload.standin);
    fd = sfd < 0 ? sfd : attach(sfd, "kvm-standin");
    if (fd < 0 && sfd >= 0) {
        kvm_standin_close(preload.standin, sfd);
    }
    pthread_mutex_unlock(&preload.lock);
    if (fd < 0) {
        errno = -fd;
        return -1;
    }
    return fd;
}

static bool is_dev_kvm(const char *path)
{
    return preload.active && path && !strcmp(path, "/dev/kvm");
}

/* The mode argument, which exists only where a file may be created. */
#define OPEN_MODE(flags, last) ({ \
    va_list ap_; \
    mode_t mode_ = 0; \
    if ((flags) & (O_CREAT | O_TMPFILE)) { \
        va_start(ap_, last); \
        mode_ = va_arg(ap_, mode_t); \
        va_end(ap_); \
    } \
    mode_; \
})

int open(const char *path, int flags, ...)
{
    return openat(AT_FDCWD, path, flags, OPEN_MODE(flags, flags));
}

int open64(const char *path, int flags, ...)
    __attribute__((alias("open")));

int __open_2(const char *path, int flags)
{
    return open(path, flags);
}

int __open64_2(const char *path, int flags)
    __attribute__((alias("__open_2")));

int openat(int dirfd, const char *path, int flags, ...)
{
    mode_t mode = OPEN_MODE(flags, flags);

    if (is_dev_kvm(path)) {
        return open_kvm();
    }
    return libc_openat(dirfd, path, flags, mode);
}

int openat64(int dirfd, const char *path, int flags, ...)
    __attribute__((alias("openat")));

int close(int fd)
{
    int sfd = standin_of(fd);

    if (sfd) {
        pthread_mutex_lock(&preload.lock);
        /* A vCPU's stand-in object may have gone with its VM. */
        kvm_standin_close(preload.standin, sfd);
        preload.standin_fd[fd] = 0;
        pthread_mutex_unlock(&preload.lock);
    }
    return libc_close(fd);
}

/* An ioctl, its argument's first bytes, and the answer. */
static void trace_ioctl(int fd, unsigned long req, const void *arg, long ret)
{
    size_t size = (req >> 16) & 0x3fff, i;

    fprintf(stderr, "kvm-standin: ioctl(%d, 0x%lx", fd, req);
    if (size && arg) {
        fprintf(stderr, ", ");
        for (i = 0; i < size && i < 16; i++) {
            fprintf(stderr, "%02x", ((const uint8_t *)arg)[i]);
        }
    } else {
        fprintf(stderr, ", %p", arg);
    }
    /* A ONE_REG's 64-bit value. */
    if (arg && (req == VKVM_SET_ONE_REG || req == VKVM_GET_ONE_REG)) {
        const struct vkvm_one_reg *r = arg;

        if ((r->id & 0x00f0000000000000ULL) == VKVM_REG_SIZE_U64) {
            fprintf(stderr, " [0x%016llx]",
                    (unsigned long long)*(uint64_t *)(uintptr_t)r->addr);
        }
    }
    fprintf(stderr, ") = %ld\n", ret);
}

int ioctl(int fd, unsigned long req, ...)
{
    int sfd = standin_of(fd);
    const char *kind;
    void *arg;
    va_list ap;
    long ret;

    va_start(ap, req);
    arg = va_arg(ap, void *);
    va_end(ap);
    if (!sfd) {
        return libc_ioctl(fd, req, arg);
    }
    pthread_mutex_lock(&preload.lock);
    kind = kvm_standin_fd_kind_of_answer(preload.standin, sfd, req);
    if (req == VKVM_SET_USER_MEMORY_REGION2 && arg) {
        /* A guest_memfd is named by the real descriptor QEMU holds. */
        struct vkvm_userspace_memory_region2 r2 =
            *(struct vkvm_userspace_memory_region2 *)arg;

        if (r2.flags & VKVM_MEM_GUEST_MEMFD) {
            r2.guest_memfd = standin_of(r2.guest_memfd);
        }
        ret = kvm_standin_ioctl(preload.standin, sfd, req, &r2);
    } else {
        ret = kvm_standin_ioctl(preload.standin, sfd, req, arg);
    }
    if (ret >= 0 && kind && !strcmp(kind, "kvm-standin-device")) {
        /* KVM_CREATE_DEVICE's descriptor is in its argument. */
        uint32_t *dev_fd = (uint32_t *)arg + 1;
        uint32_t flags = ((uint32_t *)arg)[2];

        if (!(flags & 1)) {             /* not KVM_CREATE_DEVICE_TEST */
            ret = attach(*dev_fd, kind);
            if (ret < 0) {
                kvm_standin_close(preload.standin, *dev_fd);
            } else {
                *dev_fd = ret;
                ret = 0;
            }
        }
    } else if (ret >= 0 && kind) {
        int sret = ret;

        ret = attach(sret, kind);
        if (ret < 0) {
            kvm_standin_close(preload.standin, sret);
        }
    }
    pthread_mutex_unlock(&preload.lock);
    if (ret == -KVM_STANDIN_WOULD_BLOCK) {
        ret = kvm_standin_block(preload.standin, sfd);
    }
    if (preload.trace) {
        trace_ioctl(fd, req, arg, ret);
    }
    if (ret < 0) {
        errno = -ret;
        return -1;
    }
    return ret;
}

void *mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
    int sfd = standin_of(fd);
    void *page;

    if (!sfd) {
        return libc_mmap(addr, len, prot, flags, fd, off);
    }
    pthread_mutex_lock(&preload.lock);
    page = kvm_standin_run_page(preload.standin, sfd);
    pthread_mutex_unlock(&preload.lock);
    /* Only a vCPU's kvm_run, one page at offset 0, can be mapped. */
    if (!page || off || len > KVM_STANDIN_RUN_SIZE) {
        errno = page ? EINVAL : ENODEV;
        return MAP_FAILED;
    }
    return page;
}

void *mmap64(void *addr, size_t len, int prot, int flags, int fd, off_t off)
    __attribute__((alias("mmap")));

int munmap(void *addr, size_t len)
{
    bool run_page;

    pthread_mutex_lock(&preload.lock);
    run_page = preload.active &&
               kvm_standin_is_run_page(preload.standin, addr);
    pthread_mutex_unlock(&preload.lock);
    /* The stand-in owns the kvm_run pages. */
    return run_page ? 0 : libc_munmap(addr, len);
}

static void write_report(void)
{
    FILE *f = fopen(preload.report, "w");

    if (!f) {
        return;
    }
    pthread_mutex_lock(&preload.lock);
    kvm_standin_write_report(preload.standin, f);
    pthread_mutex_unlock(&preload.lock);
    fclose(f);
}
