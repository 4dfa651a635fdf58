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
#include <htslib/vcf.h>
#include <htslib/sam.h>

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

/// The kind of data htslib detected in an open file: 1 VCF, 2 BCF, 3 other text, 0 anything else.
static inline int crick_hts_data_kind(htsFile *fp) {
    const htsFormat *f = hts_get_format(fp);
    if (f->format == vcf) return 1;
    if (f->format == bcf) return 2;
    if (f->format == text_format || f->format == unknown_format) return 3;
    return 0;
}

/// The compression htslib detected: 0 none, 1 gzip, 2 bgzip, 3 other.
static inline int crick_hts_compression(htsFile *fp) {
    switch (hts_get_format(fp)->compression) {
    case no_compression: return 0;
    case gzip: return 1;
    case bgzf: return 2;
    default: return 3;
    }
}

/// The number of lines hts_getline has read from `fp` (header lines included).
static inline int64_t crick_hts_lineno(htsFile *fp) {
    return fp->lineno;
}

/// bcf_hdr_nsamples is a macro in vcf.h.
static inline int crick_bcf_hdr_nsamples(const bcf_hdr_t *hdr) {
    return bcf_hdr_nsamples(hdr);
}

/// The name of contig `rid` of a header, or NULL when it has no such contig.
static inline const char *crick_bcf_contig_name(const bcf_hdr_t *hdr, int rid) {
    if (rid < 0 || rid >= hdr->n[BCF_DT_CTG]) return NULL;
    return hdr->id[BCF_DT_CTG][rid].key;
}

/// The number of contigs a header declares.
static inline int crick_bcf_hdr_ncontigs(const bcf_hdr_t *hdr) {
    return hdr->n[BCF_DT_CTG];
}

/// The length declared for contig `rid` (0 when the header gives none).
static inline int64_t crick_bcf_contig_length(const bcf_hdr_t *hdr, int rid) {
    if (rid < 0 || rid >= hdr->n[BCF_DT_CTG]) return 0;
    const bcf_idinfo_t *info = hdr->id[BCF_DT_CTG][rid].val;
    return info ? (int64_t)info->info[0] : 0;
}

/// The number of alleles (REF included) of an unpacked record (a bit field in bcf1_t).
static inline int crick_bcf_n_allele(const bcf1_t *rec) {
    return rec->n_allele;
}

/// Allele `i` (0 = REF) of a record unpacked with BCF_UN_STR.
static inline const char *crick_bcf_allele(const bcf1_t *rec, int i) {
    return rec->d.allele[i];
}

/// The ID column of a record unpacked with BCF_UN_STR ("." when missing).
static inline const char *crick_bcf_id(const bcf1_t *rec) {
    return rec->d.id;
}

/// Limits what vcf_parse decodes (BCF_UN_STR: up to ALT and QUAL).
static inline void crick_bcf_set_max_unpack(bcf1_t *rec, int which) {
    rec->max_unpack = which;
}

/// bcf_itr_queryi is a macro in vcf.h.
static inline hts_itr_t *crick_bcf_itr_queryi(const hts_idx_t *idx, int tid, hts_pos_t beg, hts_pos_t end) {
    return bcf_itr_queryi(idx, tid, beg, end);
}

/// bcf_itr_next is static inline in vcf.h and logs through the variadic hts_log.
static inline int crick_bcf_itr_next(htsFile *fp, hts_itr_t *itr, bcf1_t *rec) {
    return bcf_itr_next(fp, itr, rec);
}

/// bcf_itr_destroy is a macro in vcf.h.
static inline void crick_bcf_itr_destroy(hts_itr_t *itr) {
    bcf_itr_destroy(itr);
}

/// The float htslib writes as a missing value ('.').
static inline float crick_bcf_float_missing(void) {
    float f;
    bcf_float_set_missing(f);
    return f;
}

/// bcf_int32_missing is a macro in vcf.h.
static inline int32_t crick_bcf_int32_missing(void) {
    return bcf_int32_missing;
}

/// bcf_update_info_float is a macro in vcf.h (n = 0 removes the field).
static inline int crick_bcf_update_info_float(const bcf_hdr_t *hdr, bcf1_t *rec, const char *key, const float *values, int n) {
    return bcf_update_info_float(hdr, rec, key, values, n);
}

/// bcf_update_info_int32 is a macro in vcf.h (n = 0 removes the field).
static inline int crick_bcf_update_info_int32(const bcf_hdr_t *hdr, bcf1_t *rec, const char *key, const int32_t *values, int n) {
    return bcf_update_info_int32(hdr, rec, key, values, n);
}

/// bcf_update_info_string is a macro in vcf.h (NULL removes the field).
static inline int crick_bcf_update_info_string(const bcf_hdr_t *hdr, bcf1_t *rec, const char *key, const char *value) {
    return bcf_update_info_string(hdr, rec, key, value);
}

/// The value of `key` in a structured header line (an ##INFO line's Number, Type), or NULL.
static inline const char *crick_bcf_hrec_value(bcf_hrec_t *hrec, const char *key) {
    int i = bcf_hrec_find_key(hrec, key);
    return i < 0 ? NULL : hrec->vals[i];
}

/// sam_open is a macro in sam.h.
static inline htsFile *crick_sam_open(const char *path) {
    return hts_open(path, "r");
}

/// The fields of an alignment record crick reads (bam1_core_t through an accessor, so
/// that Swift does not depend on the struct's layout).
static inline void crick_bam_core(const bam1_t *b, int32_t *tid, int64_t *pos, int64_t *end, uint16_t *flag, uint8_t *mapq) {
    *tid = b->core.tid;
    *pos = b->core.pos;
    *end = bam_endpos(b);
    *flag = b->core.flag;
    *mapq = b->core.qual;
}
#endif
