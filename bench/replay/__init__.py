"""bench/replay: policy replay over many environments against the plain engine one environment at a time."""
