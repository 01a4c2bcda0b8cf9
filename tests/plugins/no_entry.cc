// A shared library that is not a pavlov plugin: it has no pavlov_plugin_entry.
extern "C" int some_other_function() { return 42; }
