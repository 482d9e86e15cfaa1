import Hummingbird

/// The request context the service uses, named for tests of generic middleware.
typealias BasicRequestContextAlias = BasicRequestContext
