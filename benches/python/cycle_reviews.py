# The pipeline benchmark's real-text input: the sample reviews of SAMPLES (`*_5.json.gz`) cycled
# to N review lines, each pass giving every reviewer id a suffix of its own (`-c2`, `-c3`, ...),
# so that passes are new reviews and not duplicates of the first; the sample metadata
# (`meta_*.json.gz`) once. Written in the batch layout `reviewlake pipeline run --source` reads:
# OUT/amazon_reviews/partition_<i>/part-00000.json.gz over FILES files, and OUT/amazon_metadata/.
# usage: python cycle_reviews.py SAMPLES N FILES OUT
import glob
import gzip
import json
import os
import sys

samples, total, files, out = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
reviews = []
for path in sorted(glob.glob(os.path.join(samples, "*_5.json.gz"))):
    with gzip.open(path, "rt", encoding="utf-8") as lines:
        reviews.extend(json.loads(line) for line in lines if line.strip())
if not reviews:
    sys.exit(f"no sample reviews (*_5.json.gz) under {samples}")


def partition(layer, index):
    folder = os.path.join(out, layer, f"partition_{index}")
    os.makedirs(folder, exist_ok=True)
    return gzip.open(os.path.join(folder, "part-00000.json.gz"), "wt", encoding="utf-8", compresslevel=6)


per_file = -(-total // files)
written = 0
for index in range(files):
    with partition("amazon_reviews", index) as sink:
        for position in range(written, min(total, written + per_file)):
            review = dict(reviews[position % len(reviews)])
            cycle = position // len(reviews)
            if cycle:
                review["reviewerID"] = f"{review['reviewerID']}-c{cycle + 1}"
            sink.write(json.dumps(review) + "\n")
    written = min(total, written + per_file)
with partition("amazon_metadata", 0) as sink:
    for path in sorted(glob.glob(os.path.join(samples, "meta_*.json.gz"))):
        with gzip.open(path, "rt", encoding="utf-8") as lines:
            sink.writelines(line if line.endswith("\n") else line + "\n" for line in lines if line.strip())
print(f"{written} reviews from {len(reviews)} samples in {files} files")
