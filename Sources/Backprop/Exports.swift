// `import Backprop` brings the matrix type and backends too: a training program needs both.
@_exported import Linalg
