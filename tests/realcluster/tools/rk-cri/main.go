// rk-cri: the two CRI calls the realcluster scripts need, since bookworm has no crictl.
//
//	rk-cri SOCKET version   prints the runtime's name, version and CRI API version
//	rk-cri SOCKET clean     stops and removes every pod sandbox (like `crictl rmp -fa`)
//
// `clean` is what makes stop leave nothing behind: RemovePodSandbox is the call on which
// containerd runs the CNI DEL (veth, host-local IP), unmounts the sandbox's shm and
// removes its network namespace; killing containerd skips all of that.
//
// It is built inside Debian's kubernetes source tree against the tree's vendored grpc and
// cri-api (k8s 1.20 speaks runtime.v1alpha2 to containerd), so it needs no module download.
package main

import (
	"context"
	"fmt"
	"net"
	"os"
	"time"

	"google.golang.org/grpc"
	pb "k8s.io/cri-api/pkg/apis/runtime/v1alpha2"
)

func fail(format string, args ...interface{}) {
	fmt.Fprintf(os.Stderr, "rk-cri: "+format+"\n", args...)
	os.Exit(1)
}

func main() {
	if len(os.Args) != 3 {
		fail("usage: rk-cri SOCKET version|clean")
	}
	socket, command := os.Args[1], os.Args[2]
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	dialer := func(ctx context.Context, addr string) (net.Conn, error) {
		return (&net.Dialer{}).DialContext(ctx, "unix", addr)
	}
	dialCtx, dialCancel := context.WithTimeout(ctx, 10*time.Second)
	defer dialCancel()
	conn, err := grpc.DialContext(dialCtx, socket, grpc.WithInsecure(), grpc.WithBlock(),
		grpc.WithContextDialer(dialer))
	if err != nil {
		fail("cannot reach the CRI socket %s: %v", socket, err)
	}
	defer conn.Close()
	runtime := pb.NewRuntimeServiceClient(conn)

	switch command {
	case "version":
		v, err := runtime.Version(ctx, &pb.VersionRequest{})
		if err != nil {
			fail("Version: %v", err)
		}
		fmt.Printf("%s %s (CRI %s)\n", v.RuntimeName, v.RuntimeVersion, v.RuntimeApiVersion)
	case "clean":
		list, err := runtime.ListPodSandbox(ctx, &pb.ListPodSandboxRequest{})
		if err != nil {
			fail("ListPodSandbox: %v", err)
		}
		failed := 0
		for _, s := range list.Items {
			name := s.Metadata.Namespace + "/" + s.Metadata.Name
			if _, err := runtime.StopPodSandbox(ctx, &pb.StopPodSandboxRequest{PodSandboxId: s.Id}); err != nil {
				fmt.Fprintf(os.Stderr, "rk-cri: StopPodSandbox %s: %v\n", name, err)
				failed++
				continue
			}
			if _, err := runtime.RemovePodSandbox(ctx, &pb.RemovePodSandboxRequest{PodSandboxId: s.Id}); err != nil {
				fmt.Fprintf(os.Stderr, "rk-cri: RemovePodSandbox %s: %v\n", name, err)
				failed++
				continue
			}
		}
		fmt.Printf("removed %d of %d pod sandboxes\n", len(list.Items)-failed, len(list.Items))
		if failed > 0 {
			os.Exit(1)
		}
	default:
		fail("unknown command %q (want version or clean)", command)
	}
}
