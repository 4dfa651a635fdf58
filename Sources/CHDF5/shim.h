// The HDF5 C library (Debian libhdf5-dev, serial build) as crick's Dataset module reads it.
// HDF5's native type identifiers are macros that open the library first; they are wrapped
// here as functions Swift can call.
#ifndef CRICK_CHDF5_SHIM_H
#define CRICK_CHDF5_SHIM_H

#include <hdf5.h>

static inline hid_t crick_h5t_native_float(void) { return H5T_NATIVE_FLOAT; }
static inline hid_t crick_h5t_native_uint8(void) { return H5T_NATIVE_UINT8; }
static inline hid_t crick_h5t_native_double(void) { return H5T_NATIVE_DOUBLE; }
static inline hid_t crick_h5p_default(void) { return H5P_DEFAULT; }
static inline hid_t crick_h5s_all(void) { return H5S_ALL; }
static inline hid_t crick_h5e_default(void) { return H5E_DEFAULT; }
static inline unsigned crick_h5f_acc_rdonly(void) { return H5F_ACC_RDONLY; }

#endif
