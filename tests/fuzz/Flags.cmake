# The libFuzzer build (STACKCTL_FUZZ=ON, tests/fuzz/README.md): every target of the project is
# compiled with coverage instrumentation for libFuzzer plus AddressSanitizer and UBSan, so a finding
# inside the project's code is reported where it happens. Included by the top-level CMakeLists.txt
# before the targets are defined; it changes nothing when STACKCTL_FUZZ is OFF. Used in a build
# folder of its own (tests/fuzz/build.sh): the flags apply to the whole build.
option(STACKCTL_FUZZ "Build the libFuzzer targets under tests/fuzz (clang only)" OFF)
if(STACKCTL_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "STACKCTL_FUZZ=ON needs clang (libFuzzer); configure with "
                        "-DCMAKE_CXX_COMPILER=clang++-19 (tests/fuzz/build.sh does)")
  endif()
  # fuzzer-no-link: coverage counters in every object; the fuzz executables alone link libFuzzer's
  # main (tests/fuzz/CMakeLists.txt). -fno-sanitize-recover=all: a UBSan report aborts, so
  # libFuzzer counts it as a crash and writes the input. _GLIBCXX_ASSERTIONS: libstdc++ checks
  # operator[] and front()/back() bounds, which ASan cannot see inside a vector's capacity.
  add_compile_options(-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all
                      -fno-omit-frame-pointer -g -O1 -D_GLIBCXX_ASSERTIONS)
  add_link_options(-fsanitize=address,undefined)
endif()
