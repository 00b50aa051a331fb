# lit configuration shared by tests/lit and tests/numeric.
import os
import lit.formats

config.name = getattr(config, "suite_name", "netc")
config.test_format = lit.formats.ShTest(execute_external=False)
config.suffixes = [".nn", ".ir", ".test", ".c"]
config.excludes = ["Inputs", "CMakeLists.txt", "lit.cfg.py", "lit.site.cfg.py"]
config.test_source_root = getattr(config, "test_source_root_override",
                                  os.path.join(config.netc_src_root, "tests", "lit"))
config.test_exec_root = os.path.join(config.netc_obj_root, "tests",
                                     os.path.basename(config.test_source_root))

tools = config.netc_tools_dir
config.substitutions.append(("%netc-opt", os.path.join(tools, "netc-opt", "netc-opt")))
config.substitutions.append(("%netc-aot-run", os.path.join(config.netc_obj_root, "tests", "tools", "netc-aot-run")))
config.substitutions.append(("%npy-compare", os.path.join(config.netc_obj_root, "tests", "tools", "npy-compare")))
config.substitutions.append(("%netc", os.path.join(tools, "netc", "netc")))
config.substitutions.append(("%examples", os.path.join(config.netc_src_root, "examples")))
config.substitutions.append(("%runtime_include", os.path.join(config.netc_src_root, "runtime", "include")))
config.substitutions.append(("%runtime_lib", os.path.join(config.netc_obj_root, "runtime", "libnetc_runtime.a")))
config.substitutions.append(("FileCheck", config.filecheck))
config.substitutions.append(("%python", config.python))

# Diagnostics must not depend on the terminal.
config.environment["TERM"] = "dumb"
for var in ["CC", "HOME", "TMPDIR", "PATH"]:
    if var in os.environ:
        config.environment[var] = os.environ[var]

# %check-numeric WORKDIR MODEL [--batch N]...: reference vs JIT vs AOT (tests/numeric).
config.substitutions.insert(0, ("%check-numeric", " ".join([
    os.path.join(config.netc_src_root, "tests", "numeric", "check-numeric.sh"),
    os.path.join(tools, "netc", "netc"),
    os.path.join(config.netc_obj_root, "tests", "tools", "netc-aot-run"),
    os.path.join(config.netc_obj_root, "tests", "tools", "npy-compare")])))
