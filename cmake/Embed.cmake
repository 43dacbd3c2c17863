# stackctl_embed(OUT <cpp> NAMESPACE <ns> BASE <dir> FILES <f>...)
# Generates a .cpp that holds each file's bytes, keyed by its path relative to BASE, so a built
# binary carries its catalog and templates and works from any directory.
function(stackctl_embed)
  cmake_parse_arguments(E "" "OUT;BASE" "FILES" ${ARGN})
  set(script "${CMAKE_CURRENT_FUNCTION_LIST_DIR}/EmbedScript.cmake")
  add_custom_command(
    OUTPUT ${E_OUT}
    COMMAND ${CMAKE_COMMAND} -DOUT=${E_OUT} -DBASE=${E_BASE} "-DFILES=${E_FILES}" -P ${script}
    DEPENDS ${E_FILES} ${script}
    COMMENT "Embedding resources into ${E_OUT}"
    VERBATIM)
endfunction()
