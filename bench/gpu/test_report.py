#!/usr/bin/env python3
"""Tests of bench/gpu/report.py on synthetic JMH and PyTorch-peer JSON: python3 bench/gpu/test_report.py"""
import json
import os
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import report  # noqa: E402


def jmh(benchmark, params, ms, err=0.1, unit="ms/op"):
    return {"benchmark": "io.github.tangent4j.bench." + benchmark, "params": params,
            "primaryMetric": {"score": ms, "scoreError": err, "scoreUnit": unit}}


class ReportTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp()
        self.write("gemm.json", [
            jmh("GemmBench.gemm", {"shape": "8192x8192x8192", "dtype": "f32", "impl": "cuda", "threads": "16"}, 25.0),
            jmh("GemmBench.gemm", {"shape": "8192x8192x8192", "dtype": "f32", "impl": "java", "threads": "16"}, 900.0,
                float("nan")),
        ])
        self.write("forward.json", [
            jmh("ForwardBench.device", {"n": "100000", "dtype": "f32", "impl": "cuda"}, 4.0),
            jmh("ForwardBench.hostToHost", {"n": "100000", "dtype": "f32", "impl": "cuda"}, 12.0),
        ])
        self.write("ntk.json", [
            jmh("NtkBench.ntk", {"n": "1024", "dtype": "f64", "impl": "cuda", "kind": "trace",
                                 "method": "structured"}, 30.0),
            jmh("NtkBench.gemm", {"n": "1024", "dtype": "f64", "impl": "cuda", "kind": "trace",
                                  "method": "structured"}, 3.0),   # the reference GEMM: not a row
        ])
        self.write("torch.json", {
            "torch": "2.11", "cuda": "13.0", "device": "NVIDIA H200", "repeats": 10, "warmup": 3,
            "functional": "torch.func", "results": [
                {"workload": "gemm 8192x8192x8192", "dtype": "f32", "ms": 20.0},
                {"workload": "forward N=100000 device", "dtype": "f32", "ms": 3.0},
                {"workload": "forward N=100000 host pageable", "dtype": "f32", "ms": 48.0},
                {"workload": "forward N=100000 host pinned", "dtype": "f32", "ms": 9.0},
                {"workload": "ntk trace N=1024", "dtype": "f64", "ms": None, "error": "out of memory"},
            ]})

    def write(self, name, data):
        with open(os.path.join(self.dir, name), "w") as f:
            json.dump(data, f)

    def rows(self):
        out = os.path.join(self.dir, "table.md")
        report.main(["--dir", self.dir, "--gpu", "NVIDIA H200", "--selftest-rc", "0", "--out", out])
        with open(out) as f:
            text = f.read()
        self.assertIn("## GPU: NVIDIA H200", text)
        self.assertIn("PyTorch 2.11 (CUDA 13.0) on NVIDIA H200", text)
        return {line.split(" | ")[0][2:]: line.split(" | ")[1:] for line in text.splitlines()
                if line.startswith("| ") and not line.startswith("| workload")}

    def test_ratios_are_peer_time_over_tangent4j_time(self):
        r = self.rows()
        self.assertEqual(["f32", "25.000 ± 0.100", "20.000", "**0.80**", "900.000 |"], r["gemm 8192x8192x8192"])
        self.assertEqual("**0.75**", r["forward N=100000 device"][3])

    def test_host_to_host_is_compared_with_pageable_and_pinned(self):
        r = self.rows()
        self.assertEqual("**4.00**", r["forward N=100000 host to host (PyTorch pageable)"][3])
        self.assertEqual("**0.75**", r["forward N=100000 host to host (PyTorch pinned)"][3])

    def test_a_peer_that_ran_out_of_memory_has_no_ratio_and_reference_gemms_are_not_rows(self):
        r = self.rows()
        self.assertEqual(["f64", "30.000 ± 0.100", "out of memory", "-", "- |"], r["ntk trace N=1024"])
        self.assertEqual(5, len(r))

    def test_without_a_peer_every_row_has_no_ratio(self):
        os.remove(os.path.join(self.dir, "torch.json"))
        r = report.table(report.load_jmh(self.dir), {})
        self.assertTrue(all("| - | - |" in line for line in r[2:]), r)

    def test_a_result_in_another_unit_is_refused(self):
        self.write("bad.json", [jmh("ForwardBench.device", {"n": "1", "impl": "cuda"}, 1.0, unit="us/op")])
        with self.assertRaises(ValueError):
            report.load_jmh(self.dir)


if __name__ == "__main__":
    unittest.main()
