// The DefaultStorageClass admission plugin (plugin/pkg/admission/storage/storageclass/
// setdefault/admission.go): a PersistentVolumeClaim created without `storageClassName` gets the
// default StorageClass's name, so it is provisioned as on kind or minikube. An explicit ""
// (no class: bind to a class-less static volume only) is left alone, as are claims naming a
// class in the beta annotation `volume.beta.kubernetes.io/storage-class`.
//
// Not modelled: the 1.20 refusal when several classes are marked default (this picks the
// newest, as releases since 1.26 do). Claims only: updates are not admitted here.
#pragma once

#include <nlohmann/json.hpp>

#include "store.h"

namespace stillpoint::kubesim {

void admit_default_storage_class(const Store& store, nlohmann::json& claim);

}  // namespace stillpoint::kubesim
