#define _GNU_SOURCE
#include <fcntl.h>
#include <malloc.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "cplatform.h"

int cplatform_o_direct(void) { return O_DIRECT; }

void cplatform_release_free_memory(void) { malloc_trim(0); }

void cplatform_lower_thread_priority(int nice_value) {
    setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), nice_value);
}
