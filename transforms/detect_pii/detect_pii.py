"""Glue Studio entry for ``detect_pii``: a thin binding over the glueforge DataFrame logic.

Glue may hand parameter values over as strings (``"0.1"``, ``"3"``, ``"a,b"``); they are parsed by
``transforms.detect_pii.options.PiiOptions``, which accepts both forms.
"""

try:
    from awsglue.dynamicframe import DynamicFrame
except ImportError:  # local run: glueforge's awsglue-compatible runtime
    from glueforge.glue_runtime import install_local_awsglue

    install_local_awsglue()
    from awsglue.dynamicframe import DynamicFrame

from transforms.detect_pii import apply as _apply


def detect_pii(  # type: ignore[no-untyped-def]  # Glue calls it with untyped keyword values
    self,
    entityTypesToDetect=None,
    detectionMode="column",
    action="DETECT",
    sampleFraction=0.1,
    thresholdFraction=0.1,
    detectionParameters=None,
    customEntities=None,
    includeColumns=None,
    excludeColumns=None,
    hmacKeyEnvVar=None,
    hmacSecretId=None,
    outputColumnName="DetectedEntities",
    redactText="*******",
    numLeftCharsToExclude=0,
    numRightCharsToExclude=0,
    redactChar="*",
    matchPattern=None,
):
    df = _apply(
        self.toDF(),
        entityTypesToDetect=entityTypesToDetect,
        detectionMode=detectionMode,
        action=action,
        sampleFraction=sampleFraction,
        thresholdFraction=thresholdFraction,
        detectionParameters=detectionParameters,
        customEntities=customEntities,
        includeColumns=includeColumns,
        excludeColumns=excludeColumns,
        hmacKeyEnvVar=hmacKeyEnvVar,
        hmacSecretId=hmacSecretId,
        outputColumnName=outputColumnName,
        redactText=redactText,
        numLeftCharsToExclude=numLeftCharsToExclude,
        numRightCharsToExclude=numRightCharsToExclude,
        redactChar=redactChar,
        matchPattern=matchPattern,
    )
    return DynamicFrame.fromDF(df, self.glue_ctx, self.name)


DynamicFrame.detect_pii = detect_pii
