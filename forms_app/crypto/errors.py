"""Errors raised by the encryption layer. None of their messages carries a plaintext value."""


class CryptoError(Exception):
    """Base class for encryption errors."""


class DecryptionError(CryptoError):
    """A value could not be decrypted: wrong key, wrong row or column, or tampered bytes."""


class UnknownKeyError(DecryptionError):
    """A value names a key id that the keyring does not hold."""


class KeyConfigurationError(CryptoError):
    """Key material is missing or malformed; the message names the variable or file."""
