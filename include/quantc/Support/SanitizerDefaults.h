//===- SanitizerDefaults.h - ASan defaults for the quantc tools -*- C++ -*-===//
//
// Include from exactly one file of each executable. In an AddressSanitizer
// build (-DQUANTC_SANITIZE=ON) quantc's objects are instrumented but
// libMLIR.so / libLLVM.so are not: LLVM's inline allocator code (BumpPtr-
// Allocator, instantiated in quantc's objects) poisons memory that the
// uninstrumented library copies then write without unpoisoning, which ASan
// reports as use-after-poison inside MLIR. Manual poisoning is therefore
// turned off; every real overflow, use-after-free and leak is still caught.
// ASAN_OPTIONS set by the user still take precedence.
//
//===----------------------------------------------------------------------===//

#ifndef QUANTC_SUPPORT_SANITIZERDEFAULTS_H
#define QUANTC_SUPPORT_SANITIZERDEFAULTS_H

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define QUANTC_ASAN_BUILD 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define QUANTC_ASAN_BUILD 1
#endif

#ifdef QUANTC_ASAN_BUILD
extern "C" const char *__asan_default_options() {
  return "allow_user_poisoning=0";
}
#endif

#endif // QUANTC_SUPPORT_SANITIZERDEFAULTS_H
