# Per-target warnings: applied to our own targets only, never to third-party code.
function(stackctl_warnings target)
  target_compile_options(${target} PRIVATE
    -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wno-sign-conversion
    -Wnon-virtual-dtor -Wold-style-cast -Woverloaded-virtual -Wimplicit-fallthrough)
  if(STACKCTL_DEV)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()
