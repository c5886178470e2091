{{/* Chart name (nameOverride replaces it). */}}
{{- define "fleethook.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Full name of the release's objects (fullnameOverride replaces it). */}}
{{- define "fleethook.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* Common labels of every object: the chart's own plus commonLabels. */}}
{{- define "fleethook.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{ include "fleethook.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{/* Selector labels. */}}
{{- define "fleethook.selectorLabels" -}}
app.kubernetes.io/name: {{ include "fleethook.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{/* An image reference from {registry, repository, tag, digest}; $ is the root context for the default tag. */}}
{{- define "fleethook.imageRef" -}}
{{- $image := .image -}}
{{- $repo := $image.repository -}}
{{- if $image.registry }}{{ $repo = printf "%s/%s" $image.registry $image.repository }}{{ end -}}
{{- if $image.digest -}}
{{- printf "%s@%s" $repo $image.digest -}}
{{- else -}}
{{- printf "%s:%s" $repo (toString (default .default $image.tag)) -}}
{{- end -}}
{{- end -}}

{{/* The portal's image. */}}
{{- define "fleethook.image" -}}
{{- include "fleethook.imageRef" (dict "image" .Values.image "default" .Chart.AppVersion) -}}
{{- end -}}

{{/* Service account name. */}}
{{- define "fleethook.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "fleethook.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{/* The Secret holding the database credentials. */}}
{{- define "fleethook.databaseSecret" -}}
{{- default (printf "%s-db" (include "fleethook.fullname" .)) .Values.database.existingSecret -}}
{{- end -}}

{{/* The Secret holding the credentials of the role that owns the tables and migrates them, if any. */}}
{{- define "fleethook.migrationSecret" -}}
{{- default (printf "%s-db-migration" (include "fleethook.fullname" .)) .Values.database.migration.existingSecret -}}
{{- end -}}

{{/* "true" when a separate owner role runs the migrations (else the runtime role does). */}}
{{- define "fleethook.hasMigrationRole" -}}
{{- if or .Values.database.migration.existingSecret .Values.database.migration.password }}true{{ end -}}
{{- end -}}

{{/* The Secret holding the first operator's password, if any. */}}
{{- define "fleethook.operatorSecret" -}}
{{- default (printf "%s-operator" (include "fleethook.fullname" .)) .Values.portal.operatorExistingSecret -}}
{{- end -}}

{{/* Whether the first operator's password is given (else the portal generates one and logs it once). */}}
{{- define "fleethook.hasOperatorPassword" -}}
{{- if or .Values.portal.operatorExistingSecret .Values.portal.operatorPassword -}}true{{- end -}}
{{- end -}}

{{/* The public URL: portal.baseUrl, else https://<ingress.host> with an ingress, else empty. */}}
{{- define "fleethook.baseUrl" -}}
{{- if .Values.portal.baseUrl -}}
{{- .Values.portal.baseUrl -}}
{{- else if and .Values.ingress.enabled .Values.ingress.host -}}
{{- printf "https://%s" .Values.ingress.host -}}
{{- end -}}
{{- end -}}

{{/* The fewest replicas that can run: the HPA's minimum, else replicaCount. */}}
{{- define "fleethook.minReplicas" -}}
{{- if .Values.autoscaling.enabled }}{{ .Values.autoscaling.minReplicas }}{{ else }}{{ .Values.replicaCount }}{{ end -}}
{{- end -}}

{{/* The most replicas that can run: the HPA's maximum, else replicaCount. */}}
{{- define "fleethook.maxReplicas" -}}
{{- if .Values.autoscaling.enabled }}{{ .Values.autoscaling.maxReplicas }}{{ else }}{{ .Values.replicaCount }}{{ end -}}
{{- end -}}

{{/*
Refusals the schema cannot express (it checks types and each key on its own).
*/}}
{{- define "fleethook.validate" -}}
{{- if and (not .Values.database.existingSecret) (not .Values.database.password) -}}
{{- fail "Set database.existingSecret (e.g. the Secret CloudNativePG creates) or database.password." -}}
{{- end -}}
{{- if and (not .Values.database.migration.existingSecret) .Values.database.migration.password (not .Values.database.migration.username) -}}
{{- fail "Set database.migration.username: the role that owns the tables and runs the migrations." -}}
{{- end -}}
{{- if and .Values.autoscaling.enabled (lt (int .Values.autoscaling.maxReplicas) (int .Values.autoscaling.minReplicas)) -}}
{{- fail (printf "autoscaling.maxReplicas (%v) must not be below autoscaling.minReplicas (%v)." .Values.autoscaling.maxReplicas .Values.autoscaling.minReplicas) -}}
{{- end -}}
{{- $pdb := .Values.podDisruptionBudget -}}
{{- if and $pdb.enabled (kindIs "float64" $pdb.minAvailable) (ge (int $pdb.minAvailable) (int (include "fleethook.minReplicas" .))) -}}
{{- fail (printf "podDisruptionBudget.minAvailable (%v) must be below the fewest replicas (%v): otherwise no node running the portal could ever be drained." $pdb.minAvailable (include "fleethook.minReplicas" .)) -}}
{{- end -}}
{{- if and $pdb.enabled (kindIs "int64" $pdb.minAvailable) (ge (int $pdb.minAvailable) (int (include "fleethook.minReplicas" .))) -}}
{{- fail (printf "podDisruptionBudget.minAvailable (%v) must be below the fewest replicas (%v): otherwise no node running the portal could ever be drained." $pdb.minAvailable (include "fleethook.minReplicas" .)) -}}
{{- end -}}
{{- end -}}
