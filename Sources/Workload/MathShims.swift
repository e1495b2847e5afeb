#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

// The C math library, under names that cannot clash with Swift's own members.
@inlinable func _log(_ x: Double) -> Double { log(x) }
@inlinable func _exp(_ x: Double) -> Double { exp(x) }
@inlinable func _sin(_ x: Double) -> Double { sin(x) }
@inlinable func _pow(_ x: Double, _ y: Double) -> Double { pow(x, y) }
@inlinable func _floor(_ x: Double) -> Double { floor(x) }
@inlinable func _rint(_ x: Double) -> Double { rint(x) }
