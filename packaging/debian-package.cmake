# The Debian package: `cpack -G DEB` in a build folder makes distillery_<version>_<arch>.deb from
# the install() rules (app/CMakeLists.txt). Built on the release it is meant for: its dependencies
# come from dpkg-shlibdeps on the binaries, so a package built on Debian 12 asks for LibTorch 1.13
# and Qt 6.4, one built on Debian 13 for LibTorch 2.6 and Qt 6.8.
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME distillery)
set(CPACK_PACKAGE_VENDOR "The Distillery developers")
set(CPACK_PACKAGE_CONTACT "The Distillery developers")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "dataset distillation workbench (MTT, TESLA, DATM)")
set(CPACK_PACKAGE_DESCRIPTION "Distillery distils an image data set into a few synthetic images per class by trajectory matching (MTT, TESLA, DATM, and a constant-memory exact gradient). The Qt workbench (distillery) shows the synthetic images, the matching loss, the learned learning rate, memory and soft labels as the run goes; distillery-cli runs the same engine in a terminal.")
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION science)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# Fashion-MNIST is the default data set of the presets and the workbench; Debian's reference BLAS
# makes LibTorch's CPU maths about 30 times slower than OpenBLAS.
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "dataset-fashion-mnist, libopenblas0-pthread")
include(CPack)
