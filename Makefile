# The two commands: `make run` and `make test` (plus `make bench`, `make fuzz`).
# Each first runs scripts/setup.sh, which installs only what is missing.

BUILD      ?= build
ASAN_BUILD ?= build-asan
FUZZ_BUILD ?= build-fuzz
FUZZ_SECONDS ?= 60
DATA       ?= data
PORT       ?= 8080
JOBS       ?= 2

N          ?= 5

.PHONY: all setup build build-asan run test test-fast test-repeat bench fuzz clean format

all: build

setup:
	@bash scripts/setup.sh

build: setup
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	@cmake --build $(BUILD) -j $(JOBS)

build-asan: setup
	@cmake -S . -B $(ASAN_BUILD) -DCMAKE_BUILD_TYPE=Debug -DTRIPOD_SANITIZE=ON >/dev/null
	@cmake --build $(ASAN_BUILD) -j $(JOBS)

run: build
	@bash scripts/run.sh $(BUILD)/tripod $(DATA) $(PORT)

# Normal build first, then the ASan+UBSan build; the last line is ctest's summary.
test: build build-asan
	@cd $(BUILD) && ctest --output-on-failure -j $(JOBS)
	@cd $(ASAN_BUILD) && ctest --output-on-failure -j $(JOBS) -LE browser

# `make test` N times in a fresh clone of HEAD, stopping at the first failure
# (BUSY=1: with every core kept busy by other work).
test-repeat:
	@bash scripts/test_repeat.sh $(N)

test-fast: build
	@cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

bench: build
	@$(BUILD)/tripod bench

# Every libFuzzer target (fuzz/) for FUZZ_SECONDS each, built with clang.
fuzz: setup
	@JOBS=$(JOBS) bash fuzz/run.sh build $(FUZZ_BUILD) >/dev/null
	@bash fuzz/run.sh run $(FUZZ_BUILD) $(FUZZ_SECONDS)

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(FUZZ_BUILD)

format:
	clang-format -i src/*/*.c src/*/*.h src/*.c bench/*.c tests/unit/*.c
