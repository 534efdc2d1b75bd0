#define _GNU_SOURCE
#include <fcntl.h>
#include "cplatform.h"

int cplatform_o_direct(void) { return O_DIRECT; }
