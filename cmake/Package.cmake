# `cpack -G DEB` in a build folder makes stackctl_<version>_<arch>.deb from the install() rules:
# the binary stripped, its dependencies the runtime libraries it links (dpkg-shlibdeps reads
# them from the binary), and, for a build with debug info (RelWithDebInfo, the default build
# type), the split-off debug info in a separate stackctl-dbgsym .ddeb, as Debian ships it.
#   cmake -S . -B build-release -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSTACKCTL_TESTS=OFF
#   cmake --build build-release && (cd build-release && cpack -G DEB)
set(CPACK_PACKAGE_NAME stackctl)
set(CPACK_PACKAGE_VENDOR "stackctl")
set(CPACK_PACKAGE_CONTACT "stackctl maintainers <stackctl@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "One declarative stack file for Apache Spark on Kubernetes: validate, check, render, build, deploy")
set(CPACK_PACKAGE_DESCRIPTION
    "stackctl builds and runs a golden stack for Apache Spark on Kubernetes from one YAML stack
file: version checks, Dockerfiles, manifests, spark.env, Terraform, pinned image builds with a
lockfile, deploy through the Kubernetes API with pruning, and diagnosis of the running platform.")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION devel)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# Image builds need a builder at run time; none is a hard dependency (any of the three will do).
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "buildah | podman | docker.io, skopeo")
# With debug info, CPack splits it off (objcopy --only-keep-debug, then --strip-unneeded and a
# debuglink: Modules/Internal/CPack/CPackDeb.cmake); without, it strips the binary.
if(CMAKE_BUILD_TYPE MATCHES "RelWithDebInfo|Debug")
  set(CPACK_DEBIAN_DEBUGINFO_PACKAGE ON)
else()
  set(CPACK_STRIP_FILES ON)
endif()
set(CPACK_GENERATOR DEB)
include(CPack)
