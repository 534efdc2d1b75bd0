#ifndef STATUSD_CPLATFORM_H
#define STATUSD_CPLATFORM_H
// What Swift's Glibc module leaves out because it needs _GNU_SOURCE or <malloc.h> (O_DIRECT's value
// differs between architectures, so it is taken from the system headers rather than written down).
int cplatform_o_direct(void);

// Hands the heap's free pages back to the kernel (glibc's malloc_trim): after a pass that frees a
// lot at once, resident memory then shows what is live, not what the allocator keeps for later.
void cplatform_release_free_memory(void);

// Lowers the calling thread's scheduling priority (Linux: per-thread nice). Password hashing and
// notification deliveries run at a lower priority so that under load the threads that serve reads
// and writes get the cores first.
void cplatform_lower_thread_priority(int nice_value);
#endif
