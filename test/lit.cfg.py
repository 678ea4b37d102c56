# -*- Python -*-
# lit configuration of quantc's regression tests.

import os

import lit.formats
from lit.llvm import llvm_config
from lit.llvm.subst import ToolSubst

config.name = "QUANTC"
config.test_format = lit.formats.ShTest(not llvm_config.use_lit_shell)
config.suffixes = [".mlir", ".test"]
config.excludes = ["Inputs", "lit.cfg.py", "e2e"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.quantc_obj_root, "test")

config.substitutions.append(("%PATH%", config.environment["PATH"]))
# Debian's numpy/onnx/torch are visible only to /usr/bin/python3.
config.substitutions.append(("%python", config.python_executable))

llvm_config.with_system_environment(["HOME", "TMP", "TEMP"])
llvm_config.use_default_substitutions()

tool_dirs = [config.quantc_tools_dir, config.llvm_tools_dir]
tools = ["quantc-opt", "quantc-translate", "quantc", "llc", "llvm-objdump", "not", "count"]
llvm_config.add_tool_substitutions(tools, tool_dirs)
