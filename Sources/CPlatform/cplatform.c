#define _GNU_SOURCE
#include <fcntl.h>
#include <malloc.h>
#include "cplatform.h"

int cplatform_o_direct(void) { return O_DIRECT; }

void cplatform_release_free_memory(void) { malloc_trim(0); }
