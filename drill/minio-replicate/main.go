// minio-replicate: sets up MinIO's own server-side bucket replication from a bucket on one MinIO (the
// source region's store) to a bucket on another (the recovery region's), as `mc replicate add` does:
//
//  1. versioning on both buckets (replication needs it on either side);
//  2. the destination registered as a remote target of the source bucket through MinIO's admin API
//     (madmin SetRemoteTarget: its payload is encrypted with the admin's secret key), which answers
//     the target's ARN;
//  3. the source bucket's replication configuration (S3 PutBucketReplication), one rule whose
//     destination is that ARN: every object, delete markers, deletes and the objects already there.
//
// Built by drill/toolchain.sh --replication against the madmin-go and minio-go versions of the drill's
// MinIO server (drill/versions.env). Credentials come from the environment only, never argv:
// MINIO_REPLICATE_SOURCE_ACCESS_KEY / _SECRET_KEY (an admin of the source MinIO) and
// MINIO_REPLICATE_TARGET_ACCESS_KEY / _SECRET_KEY (a user of the target MinIO that may write the bucket).
//
// Usage:
//
//	minio-replicate --version
//	minio-replicate setup --source http://127.0.0.1:9000 --source-bucket velero \
//	    --target http://127.0.0.1:9100 --target-bucket velero --target-region minio
//
// Prints one JSON line: {"arn": "...", "rule": "..."}.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"net/url"
	"os"
	"runtime/debug"
	"time"

	"github.com/minio/madmin-go/v3"
	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
	"github.com/minio/minio-go/v7/pkg/replication"
)

const ruleID = "velero-dr-replica"

func main() {
	if len(os.Args) > 1 && os.Args[1] == "--version" {
		fmt.Println("minio-replicate", moduleVersions())
		return
	}
	if len(os.Args) < 2 || os.Args[1] != "setup" {
		fail("usage: minio-replicate setup --source URL --source-bucket B --target URL --target-bucket B --target-region R (or --version)")
	}
	fs := flag.NewFlagSet("setup", flag.ExitOnError)
	source := fs.String("source", "", "the source MinIO's S3 endpoint (http:// or https://)")
	sourceBucket := fs.String("source-bucket", "", "the bucket replicated")
	target := fs.String("target", "", "the target MinIO's S3 endpoint (http:// or https://)")
	targetBucket := fs.String("target-bucket", "", "the replica bucket")
	targetRegion := fs.String("target-region", "", "the region the target signs requests with")
	sourceRegion := fs.String("source-region", "", "the region the source signs requests with (default: the target's)")
	_ = fs.Parse(os.Args[2:])
	for name, v := range map[string]string{"--source": *source, "--source-bucket": *sourceBucket, "--target": *target, "--target-bucket": *targetBucket, "--target-region": *targetRegion} {
		if v == "" {
			fail(name + " is required")
		}
	}
	if *sourceRegion == "" {
		*sourceRegion = *targetRegion
	}
	srcKey, srcSecret := env("MINIO_REPLICATE_SOURCE_ACCESS_KEY"), env("MINIO_REPLICATE_SOURCE_SECRET_KEY")
	tgtKey, tgtSecret := env("MINIO_REPLICATE_TARGET_ACCESS_KEY"), env("MINIO_REPLICATE_TARGET_SECRET_KEY")

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	srcURL, tgtURL := parse("--source", *source), parse("--target", *target)

	srcS3 := s3Client(srcURL, srcKey, srcSecret, *sourceRegion)
	tgtS3 := s3Client(tgtURL, tgtKey, tgtSecret, *targetRegion)
	for _, b := range []struct {
		c      *minio.Client
		bucket string
		where  string
	}{{tgtS3, *targetBucket, "target"}, {srcS3, *sourceBucket, "source"}} {
		if err := b.c.EnableVersioning(ctx, b.bucket); err != nil {
			fail(fmt.Sprintf("enabling versioning of the %s bucket %s: %v", b.where, b.bucket, err))
		}
	}

	admin, err := madmin.NewWithOptions(srcURL.Host, &madmin.Options{
		Creds:  credentials.NewStaticV4(srcKey, srcSecret, ""),
		Secure: srcURL.Scheme == "https",
	})
	if err != nil {
		fail(fmt.Sprintf("admin client of %s: %v", *source, err))
	}
	arn, err := admin.SetRemoteTarget(ctx, *sourceBucket, &madmin.BucketTarget{
		SourceBucket: *sourceBucket,
		Endpoint:     tgtURL.Host,
		Secure:       tgtURL.Scheme == "https",
		Credentials:  &madmin.Credentials{AccessKey: tgtKey, SecretKey: tgtSecret},
		TargetBucket: *targetBucket,
		Type:         madmin.ReplicationService,
		Region:       *targetRegion,
		API:          "s3v4",
	})
	if err != nil {
		fail(fmt.Sprintf("registering %s/%s as a remote target of %s (admin API): %v", *target, *targetBucket, *sourceBucket, err))
	}

	cfg := replication.Config{Rules: []replication.Rule{{
		ID:                        ruleID,
		Status:                    replication.Enabled,
		Priority:                  1,
		DeleteMarkerReplication:   replication.DeleteMarkerReplication{Status: replication.Enabled},
		DeleteReplication:         replication.DeleteReplication{Status: replication.Enabled},
		ExistingObjectReplication: replication.ExistingObjectReplication{Status: replication.Enabled},
		SourceSelectionCriteria: replication.SourceSelectionCriteria{
			ReplicaModifications: replication.ReplicaModifications{Status: replication.Enabled},
		},
		Destination: replication.Destination{Bucket: arn},
	}}}
	if err := srcS3.SetBucketReplication(ctx, *sourceBucket, cfg); err != nil {
		fail(fmt.Sprintf("setting the replication of %s to %s: %v", *sourceBucket, arn, err))
	}
	out, _ := json.Marshal(map[string]string{"arn": arn, "rule": ruleID})
	fmt.Println(string(out))
}

func s3Client(u *url.URL, key, secret, region string) *minio.Client {
	c, err := minio.New(u.Host, &minio.Options{
		Creds:        credentials.NewStaticV4(key, secret, ""),
		Secure:       u.Scheme == "https",
		Region:       region,
		BucketLookup: minio.BucketLookupPath,
	})
	if err != nil {
		fail(fmt.Sprintf("S3 client of %s: %v", u.String(), err))
	}
	return c
}

func parse(flagName, v string) *url.URL {
	u, err := url.Parse(v)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || (u.Path != "" && u.Path != "/") {
		fail(fmt.Sprintf("%s: got %q; expected an http:// or https:// endpoint without a path", flagName, v))
	}
	return u
}

func env(name string) string {
	v := os.Getenv(name)
	if v == "" {
		fail(name + " is not set (credentials are read from the environment only)")
	}
	return v
}

// moduleVersions names the madmin-go and minio-go versions built in.
func moduleVersions() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "(no build info)"
	}
	out := ""
	for _, d := range info.Deps {
		if d.Path == "github.com/minio/madmin-go/v3" || d.Path == "github.com/minio/minio-go/v7" {
			out += " " + d.Path + "@" + d.Version
		}
	}
	return out
}

func fail(msg string) {
	fmt.Fprintln(os.Stderr, "minio-replicate:", msg)
	os.Exit(1)
}
