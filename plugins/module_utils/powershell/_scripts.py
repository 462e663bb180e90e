# -*- coding: utf-8 -*-
# Copyright (c) 2026, ucops.skype_exchange contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The only PowerShell this collection sends to a server.

Both scripts are static text: no value from a user is ever formatted into them. The request travels
as base64-encoded JSON on stdin (see docs/design.md). They must parse on Windows PowerShell 3.0 and 5.1:
no classes, no ``::new()``, no ``-AsHashtable``, no ternary or null-coalescing operators.
"""

from __future__ import annotations

# The command line carries only this bootstrap (-EncodedCommand). It reads stdin, splits off the runner
# script and the request, and calls the runner with the request as an argument.
BOOTSTRAP_PS1 = r"""$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
if ($ExecutionContext.SessionState.LanguageMode -ne 'FullLanguage') {
    # Constrained Language Mode (AppLocker/WDAC) blocks the .NET calls below: say so plainly, on stdout (no method call).
    'UCOPS-LANGUAGE-MODE:' + $ExecutionContext.SessionState.LanguageMode
    exit 3
}
$ucopsRaw = [string]::Join("`n", @($input))
$ucopsParts = $ucopsRaw.Split([string[]]@("`0`0`0`0"), 2, [System.StringSplitOptions]::None)
if ($ucopsParts.Length -ne 2) {
    [Console]::Error.WriteLine('ucops: the payload on stdin is malformed')
    exit 2
}
$ucopsRunner = [ScriptBlock]::Create($ucopsParts[0])
& $ucopsRunner -EncodedRequest $ucopsParts[1].Trim()
exit 0
"""

# Session reuse (docs/design.md section 8): the command line carries LOOP_PS1 instead of BOOTSTRAP_PS1. It reads, one
# line each from stdin: the runner (base64 UTF-8), the idle time in seconds, then one request per line
# ("<nonce> <base64 JSON>"), each answered between UCOPS-BEGIN:<nonce> and UCOPS-END:<nonce>; it ends on end of input,
# a UCOPS-CLOSE line or the idle time without a request, and removes the product sessions it kept open.
LOOP_PS1 = r"""$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
if ($ExecutionContext.SessionState.LanguageMode -ne 'FullLanguage') {
    'UCOPS-LANGUAGE-MODE:' + $ExecutionContext.SessionState.LanguageMode
    exit 3
}
$ucopsIn = New-Object System.IO.StreamReader([Console]::OpenStandardInput(), (New-Object System.Text.UTF8Encoding($false)))
$ucopsRunner = [ScriptBlock]::Create([System.Text.Encoding]::UTF8.GetString([Convert]::FromBase64String($ucopsIn.ReadLine())))
$ucopsIdle = [int]$ucopsIn.ReadLine()
$ucopsLoaded = @{}
try {
    while ($true) {
        $ucopsRead = $ucopsIn.ReadLineAsync()
        if (-not $ucopsRead.Wait($ucopsIdle * 1000)) { break }
        $ucopsLine = $ucopsRead.Result
        if ($null -eq $ucopsLine -or $ucopsLine -eq 'UCOPS-CLOSE') { break }
        $ucopsFrame = $ucopsLine.Split(' ')
        if ($ucopsFrame.Length -ne 2 -or $ucopsFrame[0] -notmatch '^[0-9a-f]{32}$') {
            [Console]::Error.WriteLine('ucops: a request line is malformed')
            exit 2
        }
        [Console]::Out.WriteLine('UCOPS-BEGIN:' + $ucopsFrame[0])
        & $ucopsRunner -EncodedRequest $ucopsFrame[1] -Loaded $ucopsLoaded
        [Console]::Out.WriteLine('UCOPS-END:' + $ucopsFrame[0])
        [Console]::Out.Flush()
    }
}
finally {
    foreach ($ucopsShell in @($ucopsLoaded.Values)) {
        if ($null -ne $ucopsShell.session) { Remove-PSSession -Session $ucopsShell.session -ErrorAction SilentlyContinue }
    }
}
exit 0
"""

RUNNER_PS1 = r"""param(
    [Parameter(Mandatory = $true)]
    [string]$EncodedRequest,
    # set by LOOP_PS1 (session reuse): the product shells loaded by earlier requests of this process, kept open
    [hashtable]$Loaded = $null
)

$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'

function ConvertTo-UcopsValue {
    param($Value, [int]$Depth = 0)
    if ($null -eq $Value) { return $null }
    # Through a remote session an enum arrives as a PSObject over Int32 (so -is [int] is true) whose type names start
    # with Deserialized.; only PSObject's own ToString() returns the serialized name, and Out-String calls it.
    if (@($Value.PSObject.TypeNames) -contains 'Deserialized.System.Enum') { return ($Value | Out-String).Trim() }
    if ($Value -is [bool]) { return $Value }
    if ($Value -is [string] -or $Value -is [char]) { return [string]$Value }
    if ($Value -is [enum]) { return $Value.ToString() }
    if ($Value -is [int] -or $Value -is [long] -or $Value -is [int16] -or $Value -is [byte] -or
        $Value -is [uint32] -or $Value -is [uint64] -or $Value -is [uint16] -or $Value -is [double] -or
        $Value -is [decimal] -or $Value -is [single]) { return $Value }
    if ($Value -is [datetime]) {
        return $Value.ToUniversalTime().ToString('o', [System.Globalization.CultureInfo]::InvariantCulture)
    }
    if ($Value -is [uri]) {
        if ($Value.IsAbsoluteUri) { return $Value.AbsoluteUri }
        return $Value.OriginalString
    }
    if ($Value -is [guid]) { return $Value.ToString() }
    if ($Depth -lt 4 -and $Value -is [System.Collections.IEnumerable] -and
        -not ($Value -is [System.Collections.IDictionary])) {
        $items = New-Object System.Collections.ArrayList
        foreach ($item in $Value) { $null = $items.Add((ConvertTo-UcopsValue -Value $item -Depth ($Depth + 1))) }
        return , $items.ToArray()
    }
    return $Value.ToString()
}

function ConvertTo-UcopsArgument {
    param($Value)
    if ($null -eq $Value) { return $null }
    if ($Value -is [System.Management.Automation.PSCustomObject]) {
        $kind = $Value.PSObject.Properties['__ucops_type']
        if ($null -eq $kind) { throw 'ucops: a parameter value is an object without __ucops_type' }
        switch ([string]$kind.Value) {
            'datetime' {
                return [datetime]::Parse([string]$Value.value, [System.Globalization.CultureInfo]::InvariantCulture,
                    [System.Globalization.DateTimeStyles]::RoundtripKind)
            }
            'switch' { return [bool]$Value.value }
            'ref' {
                # a property of the first object an earlier invocation of this request returned (for example the
                # thumbprint of a certificate created by the invocation before)
                $source = @($ucopsOutputs[[string]$Value.id])
                if ($source.Count -eq 0 -or $null -eq $source[0]) { throw ('ucops: invocation ' + [string]$Value.id + ' returned no object to refer to') }
                $member = $source[0].PSObject.Properties[[string]$Value.property]
                if ($null -eq $member) { throw ('ucops: the output of invocation ' + [string]$Value.id + ' has no property ' + [string]$Value.property) }
                return , $member.Value
            }
            default { throw ('ucops: unknown __ucops_type ' + [string]$kind.Value) }
        }
    }
    if ($Value -is [array]) {
        $items = New-Object System.Collections.ArrayList
        foreach ($item in $Value) { $null = $items.Add((ConvertTo-UcopsArgument -Value $item)) }
        return , $items.ToArray()
    }
    return $Value
}

function New-UcopsError {
    param([string]$Stage, $Index, [string]$Cmdlet, $Record, [string]$Message)
    if ($null -ne $Record) {
        return @{
            stage = $Stage; index = $Index; cmdlet = $Cmdlet
            message = [string]$Record.Exception.Message
            fully_qualified_error_id = [string]$Record.FullyQualifiedErrorId
            category = [string]$Record.CategoryInfo.Category
            exception_type = $Record.Exception.GetType().FullName
        }
    }
    return @{
        stage = $Stage; index = $Index; cmdlet = $Cmdlet; message = $Message
        fully_qualified_error_id = 'UcopsRequestRefused'; category = 'InvalidArgument'; exception_type = $null
    }
}

function Write-UcopsResponse {
    param($Response)
    $json = ConvertTo-Json -InputObject $Response -Depth 12 -Compress
    $bytes = [System.Text.Encoding]::UTF8.GetBytes($json)
    [Console]::Out.WriteLine('UCOPS-RESULT:' + [Convert]::ToBase64String($bytes))
}

$response = @{
    version = 1
    host = @{ computer_name = $env:COMPUTERNAME; ps_version = $PSVersionTable.PSVersion.ToString() }
    shell = @{ type = $null; module = $null }
    results = @()
    error = $null
}
$session = $null
try {
    if ($PSVersionTable.PSVersion.Major -eq 3) {
        $response.host.kb2842230 = $null -ne (Get-HotFix -Id 'KB2842230' -ErrorAction SilentlyContinue)
    }
    try {
        $requestJson = [System.Text.Encoding]::UTF8.GetString([Convert]::FromBase64String($EncodedRequest))
        $request = ConvertFrom-Json -InputObject $requestJson
    }
    catch {
        $response.error = New-UcopsError -Stage 'request' -Index $null -Cmdlet $null -Record $_
        return
    }

    $invocations = @($request.invocations)
    $results = New-Object System.Collections.ArrayList
    foreach ($invocation in $invocations) {
        $null = $results.Add(@{ id = [string]$invocation.id; cmdlet = $null; status = 'not_run'; output = @(); warnings = @(); item_errors = @() })
    }
    $response.results = $results
    $ucopsOutputs = @{}

    $refusal = $null
    if (@('read', 'write') -notcontains [string]$request.mode) { $refusal = 'ucops: mode must be read or write' }
    $names = New-Object System.Collections.ArrayList
    foreach ($invocation in $invocations) {
        foreach ($name in @(@([string]$invocation.cmdlet) + @($invocation.alternatives))) {
            if ($null -eq $name -or $name -eq '') { continue }
            if ($name -notmatch '^[A-Za-z]+-[A-Za-z0-9]+$') { $refusal = 'ucops: not a cmdlet name: ' + $name }
            elseif ($request.mode -eq 'read' -and @('Get', 'Test', 'Resolve') -notcontains $name.Split('-')[0]) {
                $refusal = 'ucops: a read-only request may not run ' + $name
            }
            # a local (host) cmdlet is never imported from the product session: its proxy would shadow the local one
            if (-not [bool]$invocation.local) { $null = $names.Add($name) }
        }
    }
    if ($null -ne $refusal) {
        $response.error = New-UcopsError -Stage 'request' -Index $null -Cmdlet $null -Record $null -Message $refusal
        return
    }

    $shellType = [string]$request.shell.type
    $response.shell.type = $shellType
    # one product shell per shell type, endpoint and identity; reused only inside one LOOP_PS1 process
    $shellKey = $shellType + '|' + [string]$request.shell.connection_uri + '|' + [string]$request.shell.authentication
    if ($null -ne $request.shell.credential) { $shellKey = $shellKey + '|' + [string]$request.shell.credential.username }
    $loadedShell = $null
    if ($null -ne $Loaded) { $loadedShell = $Loaded[$shellKey] }
    if ($null -ne $loadedShell -and $null -ne $loadedShell.session -and [string]$loadedShell.session.State -ne 'Opened') {
        # a broken remote session is loaded again
        $loadedShell = $null
    }
    try {
        # a request of local cmdlets only opens no product session
        if (($shellType -eq 'exchange_remote' -or $shellType -eq 'skype_remote') -and $names.Count -gt 0) {
            if ($null -eq $loadedShell) {
                $uri = [string]$request.shell.connection_uri
                if ($uri -eq '') {
                    $fqdn = [System.Net.Dns]::GetHostEntry($env:COMPUTERNAME).HostName
                    if ($shellType -eq 'exchange_remote') { $uri = 'http://' + $fqdn + '/PowerShell/' }
                    else { $uri = 'https://' + $fqdn + '/OcsPowershell' }
                }
                $sessionParameters = @{ ConnectionUri = $uri; Authentication = [string]$request.shell.authentication }
                if ($shellType -eq 'exchange_remote') { $sessionParameters.ConfigurationName = 'Microsoft.Exchange' }
                if ($null -ne $request.shell.credential) {
                    $secure = ConvertTo-SecureString -String ([string]$request.shell.credential.password) -AsPlainText -Force
                    $sessionParameters.Credential = New-Object System.Management.Automation.PSCredential(
                        [string]$request.shell.credential.username, $secure)
                }
                $loadedShell = @{ session = (New-PSSession @sessionParameters); names = @{}; module = $null }
                if ($null -ne $Loaded) { $Loaded[$shellKey] = $loadedShell }
            }
            $session = $loadedShell.session
            $newNames = @($names | Where-Object { -not $loadedShell.names.ContainsKey($_) })
            if ($newNames.Count -gt 0) {
                # A name the server does not have (an alternative for another version) is a non-terminating error: skip it.
                # None of the names found is a terminating error, reported at this stage.
                $null = Import-PSSession -Session $session -CommandName $newNames -DisableNameChecking -AllowClobber -ErrorAction SilentlyContinue
                foreach ($name in $newNames) { $loadedShell.names[$name] = $true }
            }
        }
        elseif ($shellType -eq 'exchange_snapin') {
            if ($null -eq $loadedShell) {
                Add-PSSnapin -Name 'Microsoft.Exchange.Management.PowerShell.SnapIn'
                if ($null -ne $Loaded) { $Loaded[$shellKey] = @{ session = $null; names = @{}; module = $null } }
            }
        }
        elseif ($shellType -eq 'skype') {
            if ($null -eq $loadedShell) {
                $loadedShell = @{ session = $null; names = @{}; module = 'Lync' }
                if ($null -ne (Get-Module -ListAvailable -Name 'SkypeForBusiness')) { $loadedShell.module = 'SkypeForBusiness' }
                Import-Module -Name $loadedShell.module
                if ($null -ne $Loaded) { $Loaded[$shellKey] = $loadedShell }
            }
            $response.shell.module = $loadedShell.module
        }
        elseif ($shellType -ne 'none') { throw ('ucops: unknown shell type ' + $shellType) }
    }
    catch {
        $response.error = New-UcopsError -Stage 'shell' -Index $null -Cmdlet $null -Record $_
        return
    }

    for ($index = 0; $index -lt $invocations.Count; $index++) {
        $invocation = $invocations[$index]
        $result = $results[$index]
        $command = $null
        foreach ($name in @(@([string]$invocation.cmdlet) + @($invocation.alternatives))) {
            if ($null -ne $name -and $name -ne '' -and $null -ne (Get-Command -Name $name -ErrorAction SilentlyContinue)) {
                $command = $name
                break
            }
        }
        if ($null -eq $command) { $command = [string]$invocation.cmdlet }
        $result.cmdlet = $command

        # Everything this invocation does (argument conversion, the call, output conversion) is inside the try:
        # any failure becomes this invocation's error, reported as data.
        $warningTexts = New-Object System.Collections.ArrayList
        $itemErrors = New-Object System.Collections.ArrayList
        try {
            $parameters = @{}
            if ($null -ne $invocation.parameters) {
                foreach ($property in $invocation.parameters.PSObject.Properties) {
                    $parameters[$property.Name] = ConvertTo-UcopsArgument -Value $property.Value
                }
            }
            $parameters['ErrorAction'] = 'Stop'
            # foreach: run once per object of an earlier invocation, passing one of its properties as a parameter
            $each = $invocation.each
            $items = @($null)
            if ($null -ne $each) {
                $items = New-Object System.Collections.ArrayList
                foreach ($source in @($ucopsOutputs[[string]$each.id])) {
                    if ($null -eq $source) { continue }
                    $member = $source.PSObject.Properties[[string]$each.property]
                    if ($null -ne $member) { $null = $items.Add($member.Value) }
                }
            }
            # Warnings are read from the stream as they come, so those written before an error are kept too.
            $objects = New-Object System.Collections.ArrayList
            $tags = New-Object System.Collections.ArrayList
            foreach ($item in $items) {
                if ($null -ne $each) { $parameters[[string]$each.parameter] = $item }
                try {
                    & $command @parameters 3>&1 | ForEach-Object {
                        if ($_ -is [System.Management.Automation.WarningRecord]) { $null = $warningTexts.Add([string]$_.Message) }
                        else { $null = $objects.Add($_); $null = $tags.Add($item) }
                    }
                }
                catch {
                    # with tolerate_errors a failure (of one item) is reported as data and the request goes on
                    if (-not [bool]$invocation.tolerate_errors) { throw }
                    $itemError = New-UcopsError -Stage 'item' -Index $index -Cmdlet $command -Record $_
                    $itemError.item = ConvertTo-UcopsValue -Value $item
                    $null = $itemErrors.Add($itemError)
                }
            }

            $rows = New-Object System.Collections.ArrayList
            $propertyNames = @($invocation.properties)
            for ($position = 0; $position -lt $objects.Count; $position++) {
                $object = $objects[$position]
                if ($propertyNames.Count -eq 0) {
                    $null = $rows.Add((ConvertTo-UcopsValue -Value $object))
                    continue
                }
                $row = @{}
                foreach ($propertyName in $propertyNames) {
                    $propertyText = [string]$propertyName
                    $property = $object.PSObject.Properties[$propertyText]
                    if ($null -ne $property) { $row[$propertyText] = ConvertTo-UcopsValue -Value $property.Value }
                    elseif ($propertyText.IndexOf('.') -lt 0) { $row[$propertyText] = $null }
                    else {
                        # a dotted name (no property has the whole name) walks nested properties, for example
                        # PrivateKey.CspKeyContainerInfo.Exportable: a missing segment, a $null on the way or a getter
                        # that throws (X509Certificate2.PrivateKey of a CNG key on .NET Framework) gives $null
                        $nested = $object
                        foreach ($segment in $propertyText.Split('.')) {
                            if ($null -eq $nested) { break }
                            try {
                                $nestedMember = $nested.PSObject.Properties[$segment]
                                if ($null -eq $nestedMember) { $nested = $null }
                                else { $nested = $nestedMember.Value }
                            }
                            catch { $nested = $null }
                        }
                        $row[$propertyText] = ConvertTo-UcopsValue -Value $nested
                    }
                }
                if ($null -ne $each) { $row['__item'] = ConvertTo-UcopsValue -Value $tags[$position] }
                $null = $rows.Add($row)
            }
            $result.output = $rows.ToArray()
            $ucopsOutputs[[string]$invocation.id] = $objects.ToArray()
            $result.status = 'ok'
        }
        catch {
            $result.status = 'error'
            $result.error = New-UcopsError -Stage 'invocation' -Index $index -Cmdlet $command -Record $_
            $response.error = $result.error
            return
        }
        finally {
            $result.warnings = $warningTexts.ToArray()
            $result.item_errors = $itemErrors.ToArray()
        }
    }
}
catch {
    # Anything unexpected outside an invocation is still reported as data (stage 'runner'), never only on stderr.
    if ($null -eq $response.error) {
        $response.error = New-UcopsError -Stage 'runner' -Index $null -Cmdlet $null -Record $_
    }
}
finally {
    # in a loop the product session stays open for the next request (LOOP_PS1 removes it when it ends)
    if ($null -ne $session -and $null -eq $Loaded) { Remove-PSSession -Session $session -ErrorAction SilentlyContinue }
    Write-UcopsResponse -Response $response
}
"""
