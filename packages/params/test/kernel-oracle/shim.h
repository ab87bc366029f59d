/*
 * Userspace stand-ins for the kernel facilities the extracted kernel code touches. Only declarations,
 * no-op locking/logging and trivial stubs live here; every function under test is the kernel's own.
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef uint8_t u8;
typedef int8_t s8;
typedef uint16_t u16;
typedef int16_t s16;
typedef uint32_t u32;
typedef int32_t s32;
typedef uint64_t u64;
typedef int64_t s64;

#define __user
#define __force
#define __must_check
#define __init
#define noinline __attribute__((noinline))
#define noinline_for_stack noinline
#define __packed __attribute__((packed))
#define __aligned(x) __attribute__((aligned(x)))
#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)
#define EXPORT_SYMBOL(x)
#define EXPORT_SYMBOL_GPL(x)
#define BITS_PER_LONG 64
#define BITS_PER_LONG_LONG 64
#define PAGE_SIZE 4096UL
#define MAX_ERRNO 4095
#define IS_ERR_VALUE(x) unlikely((unsigned long)(void *)(x) >= (unsigned long)-MAX_ERRNO)
#define WARN_ON_ONCE(c) (c)
#define WARN_ONCE(c, ...) (c)
#define fallthrough __attribute__((__fallthrough__))
#define cpu_to_le16(x) (x)
#define BUILD_BUG_ON(c) ((void)sizeof(char[1 - 2 * !!(c)]))
#define do_div(n, base) ({ u32 __base = (base); u32 __rem = (u32)((n) % __base); (n) = (n) / __base; __rem; })
#define clamp(v, lo, hi) ((v) < (lo) ? (lo) : (v) > (hi) ? (hi) : (v))
#define pr_err(...) ((void)0)
#define pr_warn(...) ((void)0)
#define pr_notice(...) ((void)0)
#define pr_debug(...) ((void)0)
#define __MASK_UNUSED 0

static inline void *ERR_PTR(long error) { return (void *)error; }
static inline long PTR_ERR(const void *ptr) { return (long)ptr; }
static inline bool IS_ERR(const void *ptr) { return IS_ERR_VALUE((unsigned long)ptr); }
static inline u64 div_u64(u64 dividend, u32 divisor) { return dividend / divisor; }

/* include/linux/ctype.h is copied unchanged next to this file. */
#include "ctype.h"

/* include/linux/moduleparam.h: the flag enums (anonymous in the header). */
enum { KERNEL_PARAM_OPS_FL_NOARG = (1 << 0) };
enum { KERNEL_PARAM_FL_UNSAFE = (1 << 0), KERNEL_PARAM_FL_HWPARAM = (1 << 1) };
#define KSTRTOX_OVERFLOW (1U << 31)

struct module;
struct kernel_param;
struct printf_spec;

/* Locking, lockdown, taint, slab: nothing to do in a single-threaded test process. */
#define kernel_param_lock(mod) ((void)(mod))
#define kernel_param_unlock(mod) ((void)(mod))
#define check_kparam_locked(mod) ((void)(mod))
#define security_locked_down(what) 0
#define add_taint(a, b) ((void)0)
#define irqs_disabled() 0
/* Early-boot path of param_set_charp: the value points into the (mangled) argument string. */
#define slab_is_available() 0
static void *kmalloc_parameter(unsigned int size) { return malloc(size); }
static void maybe_kfree_parameter(void *param) { (void)param; }

/* vsprintf.c: %p is never used by the parameter code. */
static char *pointer(const char *fmt, char *buf, char *end, void *ptr, struct printf_spec spec);
