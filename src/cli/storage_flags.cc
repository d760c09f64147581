#include "cli/storage_flags.h"

#include <CLI/CLI.hpp>

#include "storage/location.h"

namespace stillpoint::cli {

void add_storage_flags(CLI::App& command, StorageFlags& flags) {
  command.add_option("--storage", flags.location,
                     "Backup location: a directory, file:///dir, or s3://BUCKET[/PREFIX] "
                     "(default $STILLPOINT_STORAGE, then ~/.local/share/stillpoint/backups)");
  const char* group = "S3 (for s3:// locations; credentials from AWS_ACCESS_KEY_ID/"
                      "AWS_SECRET_ACCESS_KEY, else ~/.aws/credentials and AWS_PROFILE)";
  command.add_option("--s3-endpoint", flags.s3.endpoint,
                     "S3 endpoint URL, e.g. https://minio.example:9000 (default: AWS for the "
                     "region)")
      ->envname("STILLPOINT_S3_ENDPOINT")
      ->group(group);
  command.add_option("--s3-region", flags.s3.region,
                     "Region used in signatures (default $AWS_REGION, $AWS_DEFAULT_REGION, "
                     "then us-east-1)")
      ->group(group);
  command.add_flag("--s3-path-style", flags.s3.path_style,
                   "Address the bucket in the path (https://host/bucket/key), as MinIO and Ceph "
                   "usually need; automatic for IP-address and localhost endpoints and dotted "
                   "bucket names on AWS")
      ->group(group);
  command.add_option("--s3-ca-file", flags.s3.ca_file,
                     "PEM file of the CA(s) that signed the endpoint's certificate")
      ->envname("STILLPOINT_S3_CA_FILE")
      ->check(CLI::ExistingFile)
      ->group(group);
  command.add_flag("--s3-insecure-skip-verify", flags.s3.insecure_skip_verify,
                   "Do not verify the endpoint's TLS certificate (testing only)")
      ->group(group);
  command.add_option("--s3-part-size", flags.part_size_mib,
                     "Multipart upload part size in MiB (5-5120, default 8); memory per upload "
                     "is about (parallelism + 1) x part size")
      ->check(CLI::Range(5, 5120))
      ->group(group);
  command.add_option("--s3-upload-parallelism", flags.s3.upload_parallelism,
                     "Parts of one object uploaded at once (1-64, default 4)")
      ->check(CLI::Range(1, 64))
      ->group(group);
}

core::Result<std::unique_ptr<storage::ObjectStore>> open_storage(const StorageFlags& flags) {
  storage::s3::S3Options s3 = flags.s3;
  s3.part_size = flags.part_size_mib * storage::s3::kMiB;
  return storage::open_store(storage::resolve_location(flags.location), s3);
}

}  // namespace stillpoint::cli
