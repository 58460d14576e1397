/* The forward of convolutions whose groups read one input channel each (conv_one_channel.c),
   internal to the runtime: conv.c tries it before the im2col product. */
#ifndef TGC_CONV_ONE_CHANNEL_INTERNAL_H
#define TGC_CONV_ONE_CHANNEL_INTERNAL_H
#include "tgc_runtime.h"

/* y = the float32 convolution s of x and w when each group reads one input channel, stride and
   dilation are 1 and the sgemm kernel is an FMA one (AVX2 or AVX-512): the bits of the im2col
   product with tgc_sgemm, on the OpenMP threads. Returns 1, or 0 (nothing written) for any
   other convolution. */
int tgc__conv2d_one_channel_f32(const tgc_conv2d_shape *s, const float *x, const float *w, float *y);
#endif
