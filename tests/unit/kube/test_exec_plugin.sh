#!/bin/sh
# A stand-in exec credential plugin for kube_test. Behaviour comes from its environment (set
# through the kubeconfig's exec.env): each run bumps $PLUGIN_COUNTER and prints token
# "tok-<n>"; PLUGIN_MODE=fail|garbage|cert|hang; PLUGIN_EXPIRY sets expirationTimestamp;
# PLUGIN_INFO_OUT receives $KUBERNETES_EXEC_INFO; PLUGIN_API overrides the apiVersion printed.
set -e
n=0
if [ -n "$PLUGIN_COUNTER" ]; then
  [ -f "$PLUGIN_COUNTER" ] && n=$(cat "$PLUGIN_COUNTER")
  n=$((n + 1))
  echo "$n" > "$PLUGIN_COUNTER"
fi
[ -n "$PLUGIN_INFO_OUT" ] && printf '%s' "$KUBERNETES_EXEC_INFO" > "$PLUGIN_INFO_OUT"
api=${PLUGIN_API:-client.authentication.k8s.io/v1}
case "$PLUGIN_MODE" in
  fail) echo "boom: the identity provider said no" >&2; exit 3 ;;
  garbage) echo "this is not json"; exit 0 ;;
  cert) printf '{"apiVersion":"%s","kind":"ExecCredential","status":{"clientCertificateData":"-----BEGIN CERTIFICATE-----\\nX\\n-----END CERTIFICATE-----\\n","clientKeyData":"-----BEGIN PRIVATE KEY-----\\nY\\n-----END PRIVATE KEY-----\\n"}}\n' "$api"; exit 0 ;;
esac
if [ -n "$PLUGIN_EXPIRY" ]; then
  printf '{"apiVersion":"%s","kind":"ExecCredential","status":{"token":"tok-%s","expirationTimestamp":"%s"}}\n' "$api" "$n" "$PLUGIN_EXPIRY"
else
  printf '{"apiVersion":"%s","kind":"ExecCredential","status":{"token":"tok-%s"}}\n' "$api" "$n"
fi
