"""nn-play under load: N clients post the same drawing as fast as answers come back, while one
more asks GET /api/model every 50 ms, to see whether the drawings hold up the server's other
work. Python's standard library only.

    python3 docs/scripts/nn_play_load.py http://127.0.0.1:8080/ handmade/drawn-7.png [SECONDS]

prints, for 1, 4 and 16 clients: answers per second, their latency, and GET /api/model's.
"""

import sys
import threading
import time
import urllib.request


def percentile(values, q):
    ordered = sorted(values)
    return 1000 * ordered[int(q * (len(ordered) - 1))]


def measure(url, png, clients, seconds):
    answers, probes = [], []
    stop = time.time() + seconds

    def draw():
        while time.time() < stop:
            start = time.perf_counter()
            request = urllib.request.Request(url + "api/predict", data=png,
                                             headers={"Content-Type": "image/png"})
            urllib.request.urlopen(request).read()
            answers.append(time.perf_counter() - start)

    def probe():
        while time.time() < stop:
            start = time.perf_counter()
            urllib.request.urlopen(url + "api/model").read()
            probes.append(time.perf_counter() - start)
            time.sleep(0.05)

    threads = [threading.Thread(target=draw) for _ in range(clients)]
    threads.append(threading.Thread(target=probe))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    print(f"{clients:2} clients: {len(answers) / seconds:4.0f} answers/s, median "
          f"{percentile(answers, 0.5):5.1f} ms, p95 {percentile(answers, 0.95):5.1f} ms; "
          f"GET /api/model meanwhile: median {percentile(probes, 0.5):4.1f} ms, "
          f"p95 {percentile(probes, 0.95):4.1f} ms")


def main(url, drawing, seconds=8.0):
    url = url if url.endswith("/") else url + "/"
    png = open(drawing, "rb").read()
    for clients in (1, 4, 16):
        measure(url, png, clients, float(seconds))


if __name__ == "__main__":
    if len(sys.argv) not in (3, 4):
        sys.exit(__doc__)
    main(*sys.argv[1:])
