// The manifests of deploy/ as they were when the binary was built: CMake embeds each file's
// text (src/cli/CMakeLists.txt writes deploy_manifests.cc), so `stillpoint install` prints
// them without reading any file at run time. In apply order: namespace, CRDs, service
// account, roles and bindings, Deployment.
#pragma once

#include <span>

namespace stillpoint::cli {

struct EmbeddedManifest {
  const char* path;  // relative to deploy/, e.g. "crds/backups.yaml"
  const char* text;
};

std::span<const EmbeddedManifest> deploy_manifests();

}  // namespace stillpoint::cli
