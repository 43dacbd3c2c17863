# Terraform: every .tf file stackctl ships (terraform/modules) or renders (each shipped stack, plus a
# stack of HCL-hostile strings) is parsed by HashiCorp's HCL parser and checked against the module
# conventions (tests/hcl/check.sh, tests/hcl/parse-all.js). The parser is the npm package
# @cdktf/hcl2json, pinned in tests/hcl/package-lock.json and installed there with `npm ci` on first
# use. Each test skips (exit 77) with the reason when node/npm, the package or `stackctl render`
# is missing. terraform plan/validate are not run: they need provider downloads (docs/terraform.md).
set(STACKCTL_HCL ${CMAKE_CURRENT_SOURCE_DIR}/hcl)
set(STACKCTL_HCL_OUT ${CMAKE_CURRENT_BINARY_DIR}/terraform-rendered)
set(stackctl_tf_tests "")

add_test(NAME "terraform: modules parse"
  COMMAND bash ${STACKCTL_HCL}/check.sh modules ${PROJECT_SOURCE_DIR}/terraform/modules)
list(APPEND stackctl_tf_tests "terraform: modules parse")

find_program(STACKCTL_TERRAFORM terraform)
if(STACKCTL_TERRAFORM)
  add_test(NAME "terraform: modules are terraform fmt clean"
    COMMAND bash ${STACKCTL_HCL}/check.sh fmt ${STACKCTL_TERRAFORM} ${PROJECT_SOURCE_DIR}/terraform/modules)
  list(APPEND stackctl_tf_tests "terraform: modules are terraform fmt clean")
endif()

file(GLOB stackctl_tf_stacks CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/stacks/*.stack.yaml)
foreach(s IN LISTS stackctl_tf_stacks)
  get_filename_component(n ${s} NAME)
  string(REGEX REPLACE "\\.stack\\.yaml$" "" base ${n})
  # Stacks whose spark.env comes from Vault render with placeholder values (render reads no Vault).
  set(values "")
  if(EXISTS ${STACKCTL_HCL}/fixtures/${base}.values.yaml)
    set(values --values ${STACKCTL_HCL}/fixtures/${base}.values.yaml)
  endif()
  add_test(NAME "terraform: rendered ${n} parses"
    COMMAND bash ${STACKCTL_HCL}/check.sh render $<TARGET_FILE:stackctl> ${s} ${STACKCTL_HCL_OUT}/${base}
            ${values})
  list(APPEND stackctl_tf_tests "terraform: rendered ${n} parses")
endforeach()

add_test(NAME "terraform: HCL-hostile strings read back exactly"
  COMMAND bash ${STACKCTL_HCL}/check.sh render $<TARGET_FILE:stackctl>
          ${STACKCTL_HCL}/fixtures/tricky.stack.yaml ${STACKCTL_HCL_OUT}/tricky
          --values ${STACKCTL_HCL}/fixtures/tricky.values.yaml
          --expect ${STACKCTL_HCL}/fixtures/tricky.expected.json)
list(APPEND stackctl_tf_tests "terraform: HCL-hostile strings read back exactly")

# check.sh serialises the one-time `npm ci` itself (flock), so these may run in parallel.
set_tests_properties(${stackctl_tf_tests} PROPERTIES SKIP_RETURN_CODE 77)
