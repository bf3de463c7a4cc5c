# SPDX-License-Identifier: Apache-2.0
"""The CRI client shared by scripts/cri-check and bench/cri: runtime.v1
stubs generated from runtime.proto (beside this file) into a directory
of the caller's, and a channel to a runtime's socket."""
import os
import sys

PROTO_DIR = os.path.dirname(os.path.realpath(__file__))


def load_stubs(workdir):
    """(runtime_pb2, runtime_pb2_grpc), generated into workdir/stubs, or
    SystemExit with a one-line reason."""
    try:
        import grpc
        from grpc_tools import protoc
    except ImportError as e:
        sys.exit(f"cri: cannot load gRPC: {e} (install python3-grpcio and "
                 f"python3-grpc-tools, and run Debian's /usr/bin/python3)")
    del grpc  # only its presence mattered: the stubs import it
    out = os.path.join(workdir, "stubs")
    os.makedirs(out, exist_ok=True)
    if protoc.main(["protoc", f"-I{PROTO_DIR}", f"--python_out={out}",
                    f"--grpc_python_out={out}", "runtime.proto"]) != 0:
        sys.exit(f"cri: cannot generate the CRI stubs from {PROTO_DIR}/runtime.proto")
    sys.path.insert(0, out)
    import runtime_pb2
    import runtime_pb2_grpc
    return runtime_pb2, runtime_pb2_grpc


class Runtime:
    """The RuntimeService and ImageService of the runtime at socket."""

    def __init__(self, socket, workdir):
        import grpc
        self.pb, pb_grpc = load_stubs(workdir)
        self.channel = grpc.insecure_channel(f"unix://{socket}")
        self.rt = pb_grpc.RuntimeServiceStub(self.channel)
        self.img = pb_grpc.ImageServiceStub(self.channel)

    def close(self):
        self.channel.close()
