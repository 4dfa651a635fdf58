// Swift-callable wrappers for htslib macros and variadic functions.
#ifndef CRICK_CHTSLIB_SHIM_H
#define CRICK_CHTSLIB_SHIM_H

#include <stdlib.h>
#include <htslib/hts.h>
#include <htslib/hts_log.h>
#include <htslib/bgzf.h>
#include <htslib/faidx.h>
#include <htslib/kstring.h>
#include <htslib/tbx.h>

/// tbx_itr_querys is a macro in tbx.h.
static inline hts_itr_t *crick_tbx_itr_querys(tbx_t *tbx, const char *region) {
    return tbx_itr_querys(tbx, region);
}

/// tbx_itr_queryi is a macro in tbx.h.
static inline hts_itr_t *crick_tbx_itr_queryi(tbx_t *tbx, int tid, hts_pos_t beg, hts_pos_t end) {
    return tbx_itr_queryi(tbx, tid, beg, end);
}

/// tbx_itr_next is a macro in tbx.h; returns >= 0 on success, -1 at the end, < -1 on error.
static inline int crick_tbx_itr_next(htsFile *fp, tbx_t *tbx, hts_itr_t *itr, kstring_t *r) {
    return tbx_itr_next(fp, tbx, itr, r);
}

/// tbx_itr_destroy is a macro in tbx.h.
static inline void crick_tbx_itr_destroy(hts_itr_t *itr) {
    tbx_itr_destroy(itr);
}

/// ks_free is static inline in kstring.h but may not import cleanly; free the buffer and reset.
static inline void crick_ks_free(kstring_t *s) {
    free(s->s);
    s->s = NULL;
    s->l = 0;
    s->m = 0;
}

#endif
