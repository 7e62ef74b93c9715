// Exports.swift: `import Backprop` re-exports Linalg (matrices and backends).
@_exported import Linalg
