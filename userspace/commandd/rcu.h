/* SPDX-License-Identifier: GPL-2.0 */
/*
 * liburcu, the default "memb" flavour (linked as -lurcu). <urcu/arch.h> refuses to
 * be read without an architecture and OS macro, and cppcheck (scripts/lint) defines
 * no compiler macros at all: for a reader that is not a GNU C compiler, say x86-64
 * Linux. gcc and clang always define __GNUC__, so real builds see their own.
 */
#ifndef CMDD_RCU_H
#define CMDD_RCU_H

#if !defined(__GNUC__) && !defined(__x86_64__)
#define __x86_64__ 1
#define __linux__ 1
#endif
#include <urcu.h>

#endif /* CMDD_RCU_H */
