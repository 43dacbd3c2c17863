# Per-target warnings: applied to our own targets only, never to third-party code.
function(stackctl_warnings target)
  target_compile_options(${target} PRIVATE
    -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wno-sign-conversion
    -Wnon-virtual-dtor -Wold-style-cast -Woverloaded-virtual -Wimplicit-fallthrough)
  # GCC 12 reports -Wrestrict on `"literal" + std::string&&` once it inlines libstdc++'s in-place
  # prepend at -O2 and above ("accessing 9223372036854775810 or more bytes ... may overlap"): a
  # false positive, GCC bug 105329 (gcc.gnu.org/bugzilla/show_bug.cgi?id=105329; Debian's GCC
  # 12.2 has it). It fires on most concatenations here and would bury any real warning of an
  # optimised build; Debug builds do not inline, so they keep -Wrestrict.
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
    target_compile_options(${target} PRIVATE $<$<NOT:$<CONFIG:Debug>>:-Wno-restrict>)
  endif()
  if(STACKCTL_DEV)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()
