"""Python peers of the forecast benchmark, fed exactly the windows the TypeScript bench wrote.

Usage: peers.py WINDOWS.json OUT.json [LIMIT_SECONDS]

WINDOWS.json: {"windows": [{"id", "series", "horizon", "d", "stepSeconds", "steps", "train": [...]}]}
where `train` is the training part (gaps already filled by the bench's baseline rule, as these libraries
take no gaps). For every window and model it writes the point forecast, q0.1, q0.5, q0.9, the wall time of
fit + forecast, and (for the windows marked `measureMemory`, one per horizon) the peak of traced allocations
of a second, untimed run (tracemalloc would slow the timed one).

AutoETS fits run in a forked child with a wall-clock limit (default 60 s): seasonal AutoETS with a
288-step season can take far longer than that on a few weeks of 5-minute data (several minutes on the
Twitter traces); when it does, the window gets non-seasonal AutoETS instead, is flagged, and is charged
the limit plus that fit's time. MSTL and Holt-Winters run in-process without a limit.

Models:
- statsforecast AutoETS(season_length=d): ETS chosen by AICc, 80 % interval from the model.
- statsforecast MSTL(season_length=[d, 7d] with 2+ weeks of training, else [d]), trend by AutoETS(ZZN).
- statsmodels ExponentialSmoothing (Holt-Winters): additive damped trend, additive season d, heuristic
  initialisation; 80 % interval from 200 simulated paths (additive errors, anchored at the end).
"""
import json
import multiprocessing as mp
import sys
import time
import tracemalloc
import warnings

import numpy as np

warnings.filterwarnings("ignore")

from statsforecast.models import MSTL, AutoETS  # noqa: E402
from statsmodels.tsa.holtwinters import ExponentialSmoothing  # noqa: E402


def autoets(y, d, h):
    r = AutoETS(season_length=d).forecast(y=y, h=h, level=[80])
    mean = np.asarray(r["mean"], dtype=float)
    return mean, np.asarray(r["lo-80"], dtype=float), mean, np.asarray(r["hi-80"], dtype=float)


def mstl(y, d, h):
    seasons = [d, 7 * d] if len(y) >= 14 * d else [d]
    r = MSTL(season_length=seasons).forecast(y=y, h=h, level=[80])
    mean = np.asarray(r["mean"], dtype=float)
    return mean, np.asarray(r["lo-80"], dtype=float), mean, np.asarray(r["hi-80"], dtype=float)


def holt_winters(y, d, h):
    fit = ExponentialSmoothing(
        y, trend="add", damped_trend=True, seasonal="add", seasonal_periods=d, initialization_method="heuristic"
    ).fit()
    mean = np.asarray(fit.forecast(h), dtype=float)
    rng_state = np.random.get_state()
    np.random.seed(12345)
    sims = np.asarray(fit.simulate(h, repetitions=200, error="add", anchor="end"), dtype=float)
    np.random.set_state(rng_state)
    q10, q50, q90 = np.quantile(sims, [0.1, 0.5, 0.9], axis=1)
    return mean, q10, q50, q90


MODELS = {"statsforecast-autoets": autoets, "statsforecast-mstl": mstl, "statsmodels-holtwinters": holt_winters}


def clean(a):
    a = np.asarray(a, dtype=float)
    return [float(v) if np.isfinite(v) else None for v in a]


def _child(conn, name, y, d, h):
    try:
        started = time.perf_counter()
        result = MODELS[name](y, d, h)
        conn.send(("ok", time.perf_counter() - started, [np.asarray(a, dtype=float) for a in result]))
    except Exception as e:  # noqa: BLE001
        conn.send(("error", 0.0, f"{type(e).__name__}: {e}"))
    finally:
        conn.close()


def run_limited(name, y, d, h, limit):
    """Runs one fit + forecast in a forked child; None when it takes longer than `limit` seconds."""
    parent, child = mp.Pipe(duplex=False)
    proc = mp.get_context("fork").Process(target=_child, args=(child, name, y, d, h))
    proc.start()
    child.close()
    if not parent.poll(limit):
        proc.kill()
        proc.join()
        return None
    status, seconds, payload = parent.recv()
    proc.join()
    if status == "error":
        raise RuntimeError(payload)
    return seconds, payload


def main():
    src, dst = sys.argv[1], sys.argv[2]
    limit = float(sys.argv[3]) if len(sys.argv) > 3 else 60.0
    with open(src) as f:
        windows = json.load(f)["windows"]
    # Warm-up on a small synthetic series, so import-time and first-call costs stay out of the timings.
    t = np.arange(600, dtype=float)
    warm = 10 + np.sin(2 * np.pi * t / 48) + 0.1 * np.cos(t)
    for fn in MODELS.values():
        fn(warm, 48, 48)
    out = []
    for i, w in enumerate(windows):
        y = np.asarray(w["train"], dtype=float)
        d, h = int(w["d"]), int(w["steps"])
        for name, fn in MODELS.items():
            rec = {"id": w["id"], "model": name}
            try:
                if name == "statsforecast-autoets":
                    got = run_limited(name, y, d, h, limit)
                else:
                    started = time.perf_counter()
                    result = fn(y, d, h)
                    got = (time.perf_counter() - started, result)
                if got is None and name == "statsforecast-autoets":
                    # The seasonal search did not finish in time: AutoETS without the season, flagged,
                    # and charged the time already spent.
                    rec["note"] = f"seasonal AutoETS exceeded {limit:.0f} s; non-seasonal AutoETS used"
                    started = time.perf_counter()
                    r = AutoETS(season_length=1).forecast(y=y, h=h, level=[80])
                    mean = np.asarray(r["mean"], dtype=float)
                    got = (limit + time.perf_counter() - started, (mean, np.asarray(r["lo-80"]), mean, np.asarray(r["hi-80"])))
                rec["seconds"], (point, q10, q50, q90) = got
                rec.update(point=clean(point), q10=clean(q10), q50=clean(q50), q90=clean(q90))
                if w.get("measureMemory") and "note" not in rec:
                    tracemalloc.start()
                    fn(y, d, h)
                    rec["bytes"] = tracemalloc.get_traced_memory()[1]
                    tracemalloc.stop()
            except Exception as e:  # a peer that fails is reported, not hidden
                rec["error"] = f"{type(e).__name__}: {e}"
            out.append(rec)
            print(f"[{i + 1}/{len(windows)}] {w['id']} {name} {rec.get('seconds', float('nan')):.2f}s", file=sys.stderr, flush=True)
    import statsforecast
    import statsmodels

    with open(dst, "w") as f:
        json.dump(
            {
                "versions": {
                    "python": sys.version.split()[0],
                    "statsforecast": statsforecast.__version__,
                    "statsmodels": statsmodels.__version__,
                    "numpy": np.__version__,
                },
                "results": out,
            },
            f,
        )


if __name__ == "__main__":
    main()
