"""Benchmarks of Đôn đốc at district, province and national scale (`make bench SIZE=…`)."""
