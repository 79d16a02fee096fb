/* SPDX-License-Identifier: GPL-2.0 */
/*
 * chan_shm: single-copy accesses to little-endian fields in memory shared with
 * another partition. Every read of a field the other side may write goes through
 * one of these: an __atomic load is performed exactly once (the compiler may not
 * re-read it later, unlike a plain access), so the value validated is the value
 * used. Release/acquire variants carry the ring indices (see chan_queue.h).
 */
#ifndef CHAN_SHM_H
#define CHAN_SHM_H

#include <endian.h>
#include <stdint.h>

#include <linux/types.h>

static inline uint16_t shm_ld16(const __le16 *p)
{
	return le16toh(__atomic_load_n(p, __ATOMIC_RELAXED));
}

static inline uint16_t shm_ld16_acquire(const __le16 *p)
{
	return le16toh(__atomic_load_n(p, __ATOMIC_ACQUIRE));
}

static inline uint32_t shm_ld32(const __le32 *p)
{
	return le32toh(__atomic_load_n(p, __ATOMIC_RELAXED));
}

static inline uint64_t shm_ld64(const __le64 *p)
{
	return le64toh(__atomic_load_n(p, __ATOMIC_RELAXED));
}

static inline void shm_st16(__le16 *p, uint16_t v)
{
	__atomic_store_n(p, htole16(v), __ATOMIC_RELAXED);
}

static inline void shm_st16_release(__le16 *p, uint16_t v)
{
	__atomic_store_n(p, htole16(v), __ATOMIC_RELEASE);
}

static inline void shm_st32(__le32 *p, uint32_t v)
{
	__atomic_store_n(p, htole32(v), __ATOMIC_RELAXED);
}

static inline void shm_st32_release(__le32 *p, uint32_t v)
{
	__atomic_store_n(p, htole32(v), __ATOMIC_RELEASE);
}

static inline void shm_st64(__le64 *p, uint64_t v)
{
	__atomic_store_n(p, htole64(v), __ATOMIC_RELAXED);
}

/* Store -> load ordering for the notification decisions (mfence on x86). */
static inline void shm_full_fence(void)
{
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
}

#endif /* CHAN_SHM_H */
