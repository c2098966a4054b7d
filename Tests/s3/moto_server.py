"""moto's S3 server on a loopback port for the test process that started it: it stops by itself when that process
goes away (the tests share one server and have no moment to stop it).

Set INITIAL_NO_AUTH_ACTION_COUNT in the environment for a server that authenticates (see moto_credentials.py).
"""

import argparse
import os
import sys
import time

from moto.server import ThreadedMotoServer


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    arguments = parser.parse_args()
    parent = os.getppid()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=arguments.port, verbose=False)
    server.start()
    print("listening", flush=True)
    while os.getppid() == parent:
        time.sleep(0.5)
    server.stop()
    sys.exit(0)


if __name__ == "__main__":
    main()
