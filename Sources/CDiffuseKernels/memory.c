// diffuse_malloc_trim: see include/CDiffuseKernels.h.
#include "CDiffuseKernels.h"

#if defined(__GLIBC__)
#include <malloc.h>
int diffuse_malloc_trim(void) { return malloc_trim(0); }
#else
int diffuse_malloc_trim(void) { return 0; }
#endif
