// NumPyFormatTests.swift: NumPyFormat against the text NumPy prints.
import Testing
@testable import NumPyFormat

// The two arrays from the lesson: this is the project's acceptance test.
@Test func lessonVector() {
    #expect(NumPyFormat.string([0.008040473948045291, 0.005559180911682829]) == "[0.00804047 0.00555918]")
}

@Test func lessonMatrix() {
    let values = [0.00017700554663735335, -0.0005111785059877155, 3.540110932747067e-05,
                  -0.00010223570119754312, -7.080221865494134e-05, 0.00020447140239508623]
    let expected = """
        [[ 1.77005547e-04 -5.11178506e-04]
         [ 3.54011093e-05 -1.02235701e-04]
         [-7.08022187e-05  2.04471402e-04]]
        """
    #expect(NumPyFormat.string(values, shape: [3, 2]) == expected)
}

// Hand-checked against NumPy 2.4.
@Test func smallCases() {
    #expect(NumPyFormat.string([1.0, 0.5]) == "[1.  0.5]")
    #expect(NumPyFormat.string([0.125, 0.375, 2.5]) == "[0.125 0.375 2.5  ]")
    // 0.001953125 is a tie at 8 places: half-even gives ...12, not ...13.
    #expect(NumPyFormat.string([0.001953125]) == "[0.00195312]")
    #expect(NumPyFormat.string([-0.0]) == "[-0.]")
    #expect(NumPyFormat.string([0.0, 0.0]) == "[0. 0.]")
    #expect(NumPyFormat.string([0.0, 1.5e-5]) == "[0.0e+00 1.5e-05]")
    #expect(NumPyFormat.string([-0.0, 1e-5, .nan]) == "[-0.e+00  1.e-05     nan]")
    #expect(NumPyFormat.string([.nan, -.infinity]) == "[ nan -inf]")
    #expect(NumPyFormat.string([1.0, 0.5, .infinity]) == "[1.  0.5 inf]")
    #expect(NumPyFormat.string([1e300, 1e-300, 0.0]) == "[1.e+300 1.e-300 0.e+000]")
    // Subnormals: the shortest digit is "5", but with one fraction digit the
    // exact value 4.94e-324 rounds to 4.9.
    let tiny = Double.leastNonzeroMagnitude  // 5e-324 (a literal would warn)
    #expect(NumPyFormat.string([tiny]) == "[5.e-324]")
    #expect(NumPyFormat.string([tiny, 3 * tiny]) == "[4.9e-324 1.5e-323]")
    #expect(NumPyFormat.string([], shape: [0]) == "[]")
    #expect(NumPyFormat.string([], shape: [2, 0]) == "[]")
}

@Test func wrappingAndNesting() {
    let wrapped = NumPyFormat.string((0..<12).map { Double($0) / 3 })
    #expect(wrapped == """
        [0.         0.33333333 0.66666667 1.         1.33333333 1.66666667
         2.         2.33333333 2.66666667 3.         3.33333333 3.66666667]
        """)
    let cube = NumPyFormat.string((0..<8).map(Double.init), shape: [2, 2, 2])
    #expect(cube == "[[[0. 1.]\n  [2. 3.]]\n\n [[4. 5.]\n  [6. 7.]]]")
}

@Test func summarised() {
    let text = NumPyFormat.string((0..<1001).map(Double.init))
    #expect(text == "[   0.    1.    2. ...  998.  999. 1000.]")
}

@Test(arguments: numPyCases.indices)
func matchesNumPy(index: Int) {
    let testCase = numPyCases[index]
    #expect(NumPyFormat.string(testCase.values, shape: testCase.shape) == testCase.expected,
            "shape \(testCase.shape)")
}

@Test func shapeMismatchTraps() async {
    await #expect(processExitsWith: .failure) {
        _ = NumPyFormat.string([1, 2, 3], shape: [2, 2])
    }
}
