# The two commands of the README:
#   make demo   install what is missing, build netc, compile the example network,
#               link the example app and run it
#   make test   the same build, then the whole test suite through ctest
BUILD ?= build
JOBS ?= 2

.PHONY: demo test build deps
demo: build
	scripts/demo.sh $(BUILD)

test: build
	cd $(BUILD) && ctest -j$(JOBS) --output-on-failure

build: deps
	cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Release
	cmake --build $(BUILD) -j$(JOBS)

deps:
	scripts/install-deps.sh
